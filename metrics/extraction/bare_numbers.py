"""Bare numbers (no unit, no magnitude, no change word) that are statistics all the same: after a rate
word or a linking word (万车死亡率2.96, 平均每日入境人次為128 700), or heading a list that ends in a unit
(分别为3218、3051、2821起). Most bare numbers are codes: the cheap tests come first.
"""

from __future__ import annotations

from functools import cache

import regex

from metrics.extraction.change_and_veto import Vetoes
from metrics.extraction.figure import Figure
from metrics.extraction.numbers import figure_value, is_chinese_numeral
from metrics.rules import compile_checked, load


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


def list_heads(vetoes: Vetoes, figure: Figure) -> list[Figure]:
    """The bare numbers whose list ends in ``figure`` (3218、3051 before 2821起), unit-less: the list's
    unit is shared later. None when one of them is vetoed (a date, an ordinal; ``vetoes`` of the text)."""
    norm = vetoes.norm
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
        if vetoes.is_vetoed(start, end):
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
