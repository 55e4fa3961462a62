"""A figure and the patterns that find one: a number (Arabic, Chinese numerals, 百分之九十五, 三分之一) with
its magnitude, qualifier and unit, over the normalized text. Word lists live in patterns/numbers.yaml,
units.yaml and qualifiers.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from metrics.extraction.numbers import chinese_value
from metrics.rules import alternation, compile_checked, load


@dataclass(slots=True)
class Figure:
    start: int  # surface start: a change word or qualifier before the number, if any
    end: int  # surface end
    number_start: int  # where the digits start
    number: str  # the number as written (normalized)
    magnitude: str  # 万, 亿, 千万 ... or ''
    unit: str  # normalized unit ('' when none); 成 for tenths
    unit_start: int  # where the unit stands (the unit as written is text[unit_start:unit_end])
    unit_end: int
    unit_group: str  # percent, ratio, money, score, quantity, duration, count, tenths, none
    qualifier: str  # exact, approx, at_least, at_most
    direction: str | None  # up / down when a change word stands right before
    direction_in_surface: bool
    value: float
    chinese: bool  # written in Chinese numerals


@cache
def unit_groups() -> dict[str, str]:
    """Each unit's group, e.g. 人 → count, 元 → money, % → percent."""
    data = load("units")
    groups: dict[str, str] = {}
    for group in ("percent", "ratio", "money", "score", "quantity", "duration", "count"):
        for unit in data[group]:
            groups.setdefault(unit, group)
    return groups


@cache
def qualifier_words() -> tuple[dict[str, str], dict[str, str]]:
    """Words before and after a number → their qualifier."""
    data = load("qualifiers")
    before = {w: q for q, words in data["before"].items() for w in words}
    after = {w: q for q, words in data["after"].items() for w in words}
    return before, after


@cache
def figure_pattern() -> regex.Pattern:
    numbers = load("numbers")
    units = unit_groups()
    cn_chars = "".join(numbers["digits"]) + "".join(numbers["small_units"]) + "".join(numbers["large_units"])
    before, after = qualifier_words()
    post = [w for w in after if len(w) > 1]  # 余/多 stand inside the number (20余次), see inner_approx
    pattern = rf"""
        (?P<pre>{alternation(list(before))})?                      # 约 / 超过 / 不到
        (?P<num>
            (?<![\d.,]){numbers["arabic"]}                          # 2129, 2,129, 7.1
          | (?<![{cn_chars}])[{cn_chars}]{{1,12}}                   # 二十, 两千, 一万
        )
        (?P<in1>{numbers["inner_approx"]})?                         # 9000余万条
        (?:(?<=[\d余多])(?P<mag>{numbers["arabic_magnitude"]}))?    # 1.17万, 27亿
        (?(mag)(?:(?<=\d[千万亿])(?P<rest>{numbers["compound_rest"]}))?)  # 28萬3622件, 2億9 000萬
        (?P<in2>{numbers["inner_approx"]})?                         # 27亿余次
        (?:\x1f)*                                                  # blanked converter junk 萬(wàn)
        (?:{numbers["unit_gap"]}(?P<unit>{alternation(list(units))}|{regex.escape(numbers["tenths_unit"])}))?  # 72 宗
        (?(unit)(?:(?<=成)(?P<hundredths>{numbers["tenths_digit"]}))?)  # 一成七
        (?(unit)(?P<post>{alternation(post)})?)                     # 以上 / 以下 / 左右
    """
    return compile_checked(pattern, "figure pattern", regex.VERBOSE)


@cache
def fraction_pattern() -> regex.Pattern:
    return compile_checked(load("numbers")["fraction"], "numbers.yaml fraction")


@cache
def percent_words_pattern() -> regex.Pattern:
    return compile_checked(load("numbers")["percent_words"], "numbers.yaml percent_words")


def percent_words_value(m: regex.Match) -> float:
    """百分之九十五 → 95, 百分之十二点五 → 12.5, 百分百 → 100."""
    if m["full"]:
        return 100.0
    whole, _, decimals = m["pct"].partition("点")
    value = chinese_value(whole)
    if decimals:
        digits = load("numbers")["digits"]
        value += float("0." + "".join(str(digits[c]) for c in decimals))
    return value


def qualifier_before(norm: str, pos: int) -> str | None:
    """The qualifier a word right before ``pos`` gives (约百分之廿四 → approx), if any."""
    before, _ = qualifier_words()
    word = next((w for w in sorted(before, key=len, reverse=True) if norm.startswith(w, pos - len(w))), None)
    return before[word] if word else None


def percent_figure(m: regex.Match, value: float, start: int, direction: str | None = None) -> Figure:
    """The figure of a percentage written in words (百分之九十五, 三分之一), matched by ``m``: the words are
    its number and unit; its surface starts at ``start`` (a change word before it, or the words), and a
    qualifier right before the words (约百分之廿四) is read, though not made part of the surface."""
    return Figure(
        start=start,
        end=m.end(),
        number_start=m.start(),
        number=m.group(),
        magnitude="",
        unit="%",
        unit_start=m.end(),
        unit_end=m.end(),
        unit_group="fraction",
        qualifier=qualifier_before(m.string, m.start()) or "exact",
        direction=direction,
        direction_in_surface=start < m.start(),
        value=value,
        chinese=True,
    )
