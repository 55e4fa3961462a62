"""Finding figures: compiled patterns → candidate spans over the normalized text.

A figure is a number with what makes it a statistic: a unit or counting word (2129人), a magnitude
(1.4亿), or a change word before it (下降21.4). Numbers that are dates, years, phone numbers, ordinals
or names are vetoed by patterns/ignore.yaml. Every span indexes the text as given (the normalized text
has the same length), so ``text[start:end]`` is the figure's surface.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache

import regex

from metrics.errors import ImplausibleValueWarning, PatternTimeoutWarning
from metrics.extraction.numbers import (
    chinese_value,
    compound_rest_value,
    figure_value,
    is_chinese_numeral,
    is_plausible,
    magnitude_factor,
)
from metrics.rules import alternation, compile_checked, load

MATCH_TIMEOUT = 5.0  # seconds; a last line of defence against a pattern gone quadratic on odd input


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


@cache
def direction_patterns() -> tuple[regex.Pattern, regex.Pattern]:
    """(adjacent, nearby): a change word right before a figure, or a little before with filler between."""
    data = load("changes")
    up, down = data["up"], data["down"]
    words = up + down
    long_words = [w for w in words if len(w) > 1]
    adjacent = rf"(?P<word>{alternation(long_words)})(?:了)?$|(?<!新)(?P<word>{alternation([w for w in words if len(w) == 1])})$"  # noqa: E501 - one regex
    nearby = rf"(?P<word>{alternation(long_words)})(?:{alternation(data['filler'])}){{1,6}}$"
    return (compile_checked(adjacent, "changes.yaml adjacent"), compile_checked(nearby, "changes.yaml nearby"))


@cache
def direction_of_word() -> dict[str, str]:
    data = load("changes")
    return {**{w: "down" for w in data["down"]}, **{w: "up" for w in data["up"]}}


@cache
def veto_patterns() -> tuple[regex.Pattern, regex.Pattern, regex.Pattern]:
    data = load("ignore")
    return (
        compile_checked("|".join(f"(?:{p})" for p in data["before"]), "ignore.yaml before"),
        compile_checked("|".join(f"(?:{p})" for p in data["after"]), "ignore.yaml after"),
        compile_checked("|".join(f"(?:{p})" for p in data["around"]), "ignore.yaml around"),
    )


CHINESE_DIGIT = regex.compile(r"[一二三四五六七八九两零〇]")
LARGE_UNIT = regex.compile(r"[万亿]")
LOOKBACK = 12  # characters looked at before a figure for a change word or a veto
LOOKAHEAD = 16


def is_vetoed(norm: str, start: int, end: int) -> bool:
    """Is the number at norm[start:end] one of the non-statistics of ignore.yaml?"""
    before, after, around = veto_patterns()
    if before.search(norm[max(0, start - LOOKBACK) : start]):
        return True
    if after.match(norm[end : end + LOOKAHEAD]):
        return True
    window_start = max(0, start - 16)
    return any(
        m.start() <= start - window_start and m.end() >= end - window_start
        for m in around.finditer(norm[window_start : end + 16])
    )


def is_year(number: str, unit: str) -> bool:
    """2024年 is a year, not a duration of 2024 years."""
    return unit == "年" and number.isdigit() and len(number) == 4 and 1900 <= int(number) <= 2100


def find_direction(norm: str, start: int, single_char_ok: bool) -> tuple[str | None, int]:
    """The change direction right before ``start`` and where its word starts (``start`` when not in the surface)."""
    adjacent, nearby = direction_patterns()
    window = norm[max(0, start - LOOKBACK) : start]
    offset = start - len(window)
    m = adjacent.search(window)
    if m and (len(m["word"]) > 1 or single_char_ok or not m["word"].isalpha()):  # ↑/↓: a symbol, never part of a word
        return direction_of_word()[m["word"]], offset + m.start()
    m = nearby.search(window)
    if m:
        return direction_of_word()[m["word"]], start
    return None, start


def unit_is_allowed(unit: str, chinese: bool, number: str) -> bool:
    """Some units only follow Arabic numbers, or a Chinese numeral with 万/亿 in it (三元 is a place
    name, 三千万元 and 两千余万元 are sums)."""
    if not unit:
        return True
    if chinese and unit in load("units")["arabic_only"]:
        return bool(LARGE_UNIT.search(number))
    if unit == "分":
        return not chinese
    return True


@cache
def bare_statistic_patterns() -> tuple[regex.Pattern, regex.Pattern]:
    """(after a rate word, after a linking word): where a number without a unit is still a statistic.
    万车死亡率2.96 (a rate per population is a count, SCHEMA.md); 平均每日入境人次為128 700 (a grouped
    number after 为/达). Heads of a list that ends in a unit are found by list_heads."""
    return (
        compile_checked(r"率\s*(?:为|是|达|约)?\s*$", "rate before a number"),
        compile_checked(r"(?:为|达|是|有)\s*$", "linking word before a number"),
    )


LEADING_ZERO = regex.compile(r"0\d")  # 010 123: a phone number, not a figure
GROUPED = regex.compile(r"\d[,\x20]\d{3}")
NOT_AFTER_GROUPED = regex.compile(r"\s*[\d年月日]")


def is_bare_statistic(norm: str, m: regex.Match) -> bool:
    """Is this number without unit, magnitude or change word a statistic all the same? (Cheap tests
    first: most bare numbers are codes, and a list of a million of them must stay linear.)"""
    if m["pre"] or LEADING_ZERO.match(m["num"]) or is_chinese_numeral(m["num"]):
        return False
    before = norm[max(0, m.start() - 6) : m.start()]
    after_rate, after_link = bare_statistic_patterns()
    if "率" in before and after_rate.search(before):
        return True
    return (
        GROUPED.search(m["num"]) is not None
        and bool(after_link.search(before))
        and not NOT_AFTER_GROUPED.match(norm, m.end(), m.end() + 2)
    )


LIST_SEPARATORS = "、和及"
LIST_REACH = 200  # characters looked back from a figure for the bare numbers of its list


@cache
def list_heads_pattern() -> regex.Pattern:
    """Bare numbers in a list right before a figure with a unit (分别为3218、3051、2821起), matched
    backwards from the figure."""
    number = load("numbers")["arabic"]
    return compile_checked(
        rf"(?r)(?:(?<![\d.,\p{{Latin}}])(?P<n>{number})\s*[{LIST_SEPARATORS}]\s*){{1,20}}$", "list heads"
    )


def list_heads(norm: str, figure: Figure) -> list[Figure]:
    """The bare numbers whose list ends in ``figure`` (3218、3051 before 2821起), unit-less: the list's
    unit is shared later. None when one of them is vetoed (a date, an ordinal)."""
    if figure.chinese or figure.direction or figure.unit_group in ("none", "percent", "fraction", "tenths"):
        return []
    before = norm[max(0, figure.start - 3) : figure.start].rstrip()
    if not before or before[-1] not in LIST_SEPARATORS:
        return []
    m = list_heads_pattern().search(norm, max(0, figure.start - LIST_REACH), figure.start)
    if not m:
        return []
    heads = []
    for start, end in zip(m.starts("n"), m.ends("n")):
        if is_vetoed(norm, start, end):
            return []
        number = norm[start:end]
        heads.append(
            Figure(
                start=start,
                end=end,
                number_start=start,
                number=number,
                magnitude="",
                unit="",
                unit_start=end,
                unit_end=end,
                unit_group="none",
                qualifier="exact",
                direction=None,
                direction_in_surface=False,
                value=figure_value(number),
                chinese=False,
            )
        )
    return sorted(heads, key=lambda f: f.start)


def figure_from_match(m: regex.Match, norm: str) -> Figure | None:
    """A Figure for one match of figure_pattern, or None when it is not a statistic."""
    number, unit, magnitude = m["num"], m["unit"] or "", m["mag"] or ""
    chinese = is_chinese_numeral(number)
    if chinese and not CHINESE_DIGIT.search(number) and not (m["pre"] or m["in1"] or m["post"]):
        return None  # a bare magnitude (万, 千) needs a qualifier: 超千万元, 万起以下
    if not unit_is_allowed(unit, chinese, number + magnitude) or is_year(number, unit):
        return None
    if is_vetoed(norm, m.start("num"), m.end()):
        return None
    tenths = unit == load("numbers")["tenths_unit"]
    group = "tenths" if tenths else unit_groups().get(unit, "none")
    if (
        chinese
        and group == "count"
        and chinese_value(number) in load("ignore")["narrative_values"]
        and not norm.startswith(tuple(load("ignore")["narrative_except_before"]), m.end())
    ):
        return None  # 一起, 一个: narrative (but 一人死亡 is a statistic)
    value = figure_value(number, magnitude, tenths)
    if m["rest"]:
        rest = compound_rest_value(m["rest"])
        if rest >= magnitude_factor(magnitude[-1]):
            return None  # 3万12345: not a number in two magnitudes
        value += rest
    if m["hundredths"]:
        value += load("numbers")["digits"][m["hundredths"]]
    if not is_plausible(value):
        surface = m.group()
        shown = surface if len(surface) <= 40 else f"{surface[:20]}…{surface[-12:]} ({len(surface)} characters)"
        warnings.warn(
            f"implausible value at character {m.start()}: {shown!r} is not stored",
            ImplausibleValueWarning,
            stacklevel=2,
        )
        return None
    single_ok = group in ("percent", "tenths") or bool(m["pre"])
    direction, dir_start = find_direction(norm, m.start(), single_ok)
    if group == "none" and not magnitude and direction is None and not is_bare_statistic(norm, m):
        return None  # a bare number: a code, a count of nothing
    before, after = qualifier_words()
    qualifier = "exact"
    if m["pre"]:
        qualifier = before[m["pre"]]
    if m["in1"] or m["in2"]:
        qualifier = "at_least"
    if m["post"]:
        qualifier = after[m["post"]]
    end = m.end()
    return Figure(
        start=dir_start,
        end=end,
        number_start=m.start("num"),
        number=number,
        magnitude=magnitude,
        unit=unit,
        unit_start=m.start("unit") if unit else m.end(),
        unit_end=m.end("unit") if unit else m.end(),
        unit_group=group,
        qualifier=qualifier,
        direction=direction,
        direction_in_surface=dir_start < m.start(),
        value=value,
        chinese=chinese,
    )


CHUNK = 100_000  # characters matched under one timeout


def chunk_bounds(norm: str, size: int = CHUNK) -> list[tuple[int, int]]:
    """Stretches of about ``size`` characters, cut after a sentence end where one is near, so that no
    figure is cut in two."""
    bounds, start = [], 0
    while start < len(norm):
        end = min(len(norm), start + size)
        if end < len(norm):
            cut = max(norm.rfind(ch, start, end) for ch in "。\n；;")
            end = cut + 1 if cut > start else end
        bounds.append((start, end))
        start = end
    return bounds


def _matches(pattern: regex.Pattern, norm: str):
    """pattern.finditer over the text, chunk by chunk, each under MATCH_TIMEOUT; a chunk that times out
    is reported with a warning rather than hanging the run."""
    for start, end in chunk_bounds(norm):
        try:
            yield from pattern.finditer(norm, start, end, timeout=MATCH_TIMEOUT)
        except TimeoutError:
            warnings.warn(
                f"pattern timed out on characters {start}..{end}; figures there are skipped",
                PatternTimeoutWarning,
                stacklevel=3,
            )


def find_figures(norm: str) -> list[Figure]:
    """Every figure in the normalized text, in order."""
    figures: list[Figure] = []
    for m in _matches(figure_pattern(), norm):
        figure = figure_from_match(m, norm)
        if figure is not None:
            if figures and figures[-1].end <= figure.start:
                figures.extend(h for h in list_heads(norm, figure) if h.start >= figures[-1].end)
            elif not figures:
                figures.extend(list_heads(norm, figure))
            figures.append(figure)
    for m in _matches(percent_words_pattern(), norm):
        direction, dir_start = find_direction(norm, m.start(), True)
        figures.append(
            Figure(
                start=dir_start,
                end=m.end(),
                number_start=m.start(),
                number=m.group(),
                magnitude="",
                unit="%",
                unit_start=m.end(),
                unit_end=m.end(),
                unit_group="fraction",
                qualifier="exact",
                direction=direction,
                direction_in_surface=dir_start < m.start(),
                value=percent_words_value(m),
                chinese=True,
            )
        )
    for m in _matches(fraction_pattern(), norm):
        value = round(chinese_value(m["num"]) / chinese_value(m["den"]) * 100, 2)
        figures.append(
            Figure(
                start=m.start(),
                end=m.end(),
                number_start=m.start(),
                number=m.group(),
                magnitude="",
                unit="%",
                unit_start=m.end(),
                unit_end=m.end(),
                unit_group="fraction",
                qualifier="exact",
                direction=None,
                direction_in_surface=False,
                value=value,
                chinese=True,
            )
        )
    figures.sort(key=lambda f: f.start)
    return figures
