"""Finding figures: compiled patterns → candidate spans over the normalized text.

A figure is a number with what makes it a statistic: a unit or counting word (2129人), a magnitude
(1.4亿), or a change word before it (下降21.4). Numbers that are dates, years, phone numbers, ordinals
or names are vetoed by patterns/ignore.yaml. Every span indexes the text as given (the normalized text
has the same length), so ``text[start:end]`` is the figure's surface. The figure and its patterns are in
figure.py, change words and vetoes in change_and_veto.py, bare numbers that count in bare_numbers.py.
"""

from __future__ import annotations

import warnings
from functools import cache

import regex

from metrics.errors import ImplausibleValueWarning, PatternTimeoutWarning
from metrics.extraction.bare_numbers import is_bare_statistic, list_heads
from metrics.extraction.change_and_veto import Vetoes, find_direction, follows_comparison, veto_patterns
from metrics.extraction.figure import (
    Figure,
    figure_pattern,
    fraction_pattern,
    percent_figure,
    percent_words_pattern,
    percent_words_value,
    qualifier_words,
    unit_groups,
)
from metrics.extraction.numbers import (
    chinese_value,
    compound_rest_value,
    figure_value,
    is_chinese_numeral,
    is_plausible,
    magnitude_factor,
)
from metrics.rules import load

MATCH_TIMEOUT = 5.0  # seconds; a last line of defence against a pattern gone quadratic on odd input


CHINESE_DIGIT = regex.compile(r"[一二三四五六七八九两零〇]")
LARGE_UNIT = regex.compile(r"[万亿]")


def is_year(number: str, unit: str) -> bool:
    """2024年 is a year, not a duration of 2024 years."""
    return unit == "年" and number.isdigit() and len(number) == 4 and 1900 <= int(number) <= 2100


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


def is_lone_tens(number: str, unit: str) -> bool:
    """共十人: a tens word alone (十, 廿, 卅; a small unit below a hundred) before a unit it counts."""
    numbers = load("numbers")
    return numbers["small_units"].get(number, 100) < 100 and unit in numbers["lone_tens_units"]


FIGURE_GROUPS = ("pre", "num", "in1", "mag", "rest", "in2", "unit", "hundredths", "post")


@cache
def _group_numbers() -> tuple[int, ...]:
    """The numbers of the figure pattern's groups, in FIGURE_GROUPS' order."""
    return tuple(figure_pattern().groupindex[name] for name in FIGURE_GROUPS)


@cache
def _hundredths() -> dict[str, int]:
    """A digit after 成 → hundredths (一成七, 7成9, 七成半): the Chinese digits and numbers.yaml hundredths_words."""
    numbers = load("numbers")
    return {**numbers["digits"], **numbers["hundredths_words"]}


def figure_from_match(m: regex.Match, norm: str, vetoes: Vetoes) -> Figure | None:
    """A Figure for one match of figure_pattern, or None when it is not a statistic (``vetoes``: those of
    ``norm``). The groups are read from the match's spans at once (``m.regs``: asking group by group costs
    a third of a microsecond each, about 4 µs for each of the 30 candidates of a report)."""
    regs, numbers = m.regs, _group_numbers()
    group_spans = [regs[i] for i in numbers]
    pre, number, in1, mag, rest, in2, unit, hundredths, post = (norm[a:b] if a >= 0 else None for a, b in group_spans)
    number, unit, magnitude = number or "", unit or "", mag or ""  # (num always takes part in a match)
    chinese = is_chinese_numeral(number)
    if chinese and not CHINESE_DIGIT.search(number) and not (pre or in1 or post) and not is_lone_tens(number, unit):
        return None  # a bare magnitude (万, 千) needs a qualifier: 超千万元, 万起以下
    if not unit_is_allowed(unit, chinese, number + magnitude) or is_year(number, unit):
        return None
    (number_start, _), (start, end) = group_spans[1], regs[0]
    if vetoes.is_vetoed(number_start, end):
        return None
    tenths = unit == load("numbers")["tenths_unit"]
    group = "tenths" if tenths else unit_groups().get(unit, "none")
    if (
        chinese
        and group == "count"
        and chinese_value(number) in load("ignore")["narrative_values"]
        and not norm.startswith(tuple(load("ignore")["narrative_except_before"]), end)
    ):
        return None  # 一起, 一个: narrative (but 一人死亡 is a statistic)
    value = figure_value(number, magnitude, tenths)
    if rest:
        rest_value = compound_rest_value(rest)
        if rest_value >= magnitude_factor(magnitude[-1]):
            return None  # 3万12345: not a number in two magnitudes
        value += rest_value
    if hundredths:
        value += _hundredths()[hundredths]
    if not is_plausible(value):
        surface = m.group()
        shown = surface if len(surface) <= 40 else f"{surface[:20]}…{surface[-12:]} ({len(surface)} characters)"
        warnings.warn(
            f"implausible value at character {m.start()}: {shown!r} is not stored",
            ImplausibleValueWarning,
            stacklevel=2,
        )
        return None
    if chinese and group == "none" and not magnitude and not (pre or in1 or post):
        return None  # 下降幅度为六都最佳: a numeral with no unit is a name (六都); a change has 成, 倍 or %
    single_ok = group in ("percent", "tenths") or bool(pre) or follows_comparison(norm, start)
    direction, dir_start = find_direction(norm, start, single_ok)
    if group == "none" and not magnitude and direction is None and not is_bare_statistic(norm, m):
        return None  # a bare number: a code, a count of nothing
    before, after = qualifier_words()
    qualifier = "exact"
    if pre:
        qualifier = before[pre]
    if in1 or in2:
        qualifier = "at_least"
    if post:
        qualifier = after[post]
    unit_start, unit_end = group_spans[6] if unit else (end, end)
    return Figure(
        start=dir_start,
        end=end,
        number_start=number_start,
        number=number,
        magnitude=magnitude,
        unit=unit,
        unit_start=unit_start,
        unit_end=unit_end,
        unit_group=group,
        qualifier=qualifier,
        direction=direction,
        direction_in_surface=dir_start < start,
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


def _matches(pattern: regex.Pattern, norm: str, overlapped: bool = False, lost: str = "figures there are skipped"):
    """pattern.finditer over the text, chunk by chunk, each under MATCH_TIMEOUT; a chunk that times out
    is reported with a warning (saying what is ``lost``) rather than hanging the run."""
    for start, end in chunk_bounds(norm):
        try:
            yield from pattern.finditer(norm, start, end, overlapped=overlapped, timeout=MATCH_TIMEOUT)
        except TimeoutError:
            warnings.warn(
                f"pattern timed out on characters {start}..{end}; {lost}",
                PatternTimeoutWarning,
                stacklevel=3,
            )


def find_figures(norm: str) -> list[Figure]:
    """Every figure in the normalized text, in order."""
    figures: list[Figure] = []
    around = _matches(veto_patterns()[2], norm, overlapped=True, lost="numbers there are not checked for dates")
    vetoes = Vetoes(norm, around)
    for m in _matches(figure_pattern(), norm):
        figure = figure_from_match(m, norm, vetoes)
        if figure is not None:
            if figures and figures[-1].end <= figure.start:
                figures.extend(h for h in list_heads(vetoes, figure) if h.start >= figures[-1].end)
            elif not figures:
                figures.extend(list_heads(vetoes, figure))
            figures.append(figure)
    for m in _matches(percent_words_pattern(), norm):
        direction, dir_start = find_direction(norm, m.start(), True)
        figures.append(percent_figure(m, percent_words_value(m), dir_start, direction))
    for m in _matches(fraction_pattern(), norm):
        value = round(chinese_value(m["num"]) / chinese_value(m["den"]) * 100, 2)
        figures.append(percent_figure(m, value, m.start()))
    figures.sort(key=lambda f: f.start)
    return figures
