"""The rounding a figure's surface implies: the place of its last written digit, and the interval of
values it allows (``1.17万`` is 11650–11750, ``约2000`` is 1500–2500, ``2000余`` is 2000–3000).

Pure functions; the number words come from the rules (metrics/patterns/numbers.yaml).
"""

from __future__ import annotations

import collections
import math
from functools import cache, lru_cache

import regex

from metrics.extraction.normalize import FILLER, normalize
from metrics.extraction.numbers import magnitude_factor
from metrics.rules import load

_EPSILON = 1e-9


@cache
def _figure_patterns() -> tuple[regex.Pattern, regex.Pattern]:
    numbers = load("numbers")
    arabic = regex.compile(
        rf"(?P<number>{numbers['arabic']})\s*(?P<inner>{numbers['inner_approx']})?"
        rf"\s*(?P<magnitude>{numbers['arabic_magnitude']})?"
    )
    chars = "".join([*numbers["digits"], *numbers["small_units"], *numbers["large_units"]])
    return arabic, regex.compile(f"[{regex.escape(chars)}]+")


@lru_cache(maxsize=65536)
def written_step(surface: str) -> float:
    """The place of the last digit the surface writes: ``8029起`` → 1, ``1.17万`` → 100, ``48.9万余起`` →
    1000, ``9000余万条`` → 10000, ``7.8%`` → 0.1, ``两千`` → 1000; 1 when no number can be read.

    >>> [written_step(s) for s in ("8029起", "1.17万人", "9000余万条", "上升7.8%", "1.8萬(wàn)餘人", "两千", "二十三")]
    [1.0, 100.0, 10000.0, 0.1, 1000.0, 1000.0, 1.0]
    >>> written_step("5万2,826件")
    1.0
    """
    text = normalize(surface).replace(FILLER, "")
    arabic, chinese = _figure_patterns()
    # the last number written decides: 5万2,826 → 1
    match = collections.deque(arabic.finditer(text), maxlen=1).pop() if arabic.search(text) else None
    if match:
        decimals = match["number"].partition(".")[2]
        step = 10.0 ** -len(decimals)
        return step * magnitude_factor(match["magnitude"]) if match["magnitude"] else step
    match = chinese.search(text)
    if not match:
        return 1.0
    numeral = match.group()
    digits = load("numbers")["digits"]
    last_digit = max((i for i, char in enumerate(numeral) if char in digits), default=-1)
    trailing = numeral[last_digit + 1 :]
    return magnitude_factor(trailing) if trailing else 1.0


def rounding_place(value: float, step: float) -> float:
    """The place of the value's last non-zero digit, at least ``step``: 2000 (step 1) → 1000."""
    if not math.isfinite(value) or step <= 0:
        return step
    units = round(abs(value) / step)
    place = step
    while units and units % 10 == 0:
        units //= 10
        place *= 10
    return place


def value_interval(value: float, qualifier: str | None, step: float, *, whole: bool = False) -> tuple[float, float]:
    """The values a surface allows, as [low, high].

    exact: rounded at its last written digit (``1.17万`` → ±50), or just the value for a ``whole`` count
    written to the unit (``3起`` is 3, not 2.5 to 3.5: things are counted whole); approx (约, 近, 左右):
    rounded at its last
    non-zero digit (``约2000`` → ±500); at_least (余, 多, 超过): up to one more unit of that digit
    (``2000余`` → 2000–3000); at_most (不到, 以下): down to one unit less.

    >>> value_interval(11700, "exact", 100), value_interval(2000, "approx", 1), value_interval(2000, "at_least", 1)
    ((11650.0, 11750.0), (1500.0, 2500.0), (2000.0, 3000.0))
    >>> value_interval(3, "exact", 1, whole=True), value_interval(7.8, "exact", 0.1)
    ((3.0, 3.0), (7.75, 7.85))
    """
    value, place = float(value), rounding_place(value, step)
    if qualifier == "approx":
        return value - place / 2, value + place / 2
    if qualifier == "at_least":
        return value, value + place
    if qualifier == "at_most":
        return value - place, value
    if whole and step == 1:
        return value, value
    return value - step / 2, value + step / 2


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """True when two intervals meet (within floating-point noise)."""
    slack = _EPSILON * max(1.0, abs(a[0]), abs(a[1]), abs(b[0]), abs(b[1]))
    return a[0] <= b[1] + slack and b[0] <= a[1] + slack


def round_to(value: float, step: float) -> float:
    """``value`` rounded to a multiple of ``step`` (half away from zero), without binary noise."""
    units = math.floor(abs(value) / step + 0.5)
    digits = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return math.copysign(round(units * step, digits), value)


def telling_apart(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """The midpoints of two intervals that do not meet, rounded to the fewest decimals that still shows
    them as different numbers (a derived 1.5 beside a stated 2 is not shown as 2 and 2)."""
    mid_a, mid_b = (a[0] + a[1]) / 2, (b[0] + b[1]) / 2
    for digits in range(7):
        shown_a, shown_b = round(mid_a, digits), round(mid_b, digits)
        if shown_a != shown_b:
            return shown_a, shown_b
    return mid_a, mid_b
