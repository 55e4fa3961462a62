"""Number resolution: the text of a number, its magnitude and tenths, to a plain float.

Chinese numerals are converted by cn2an (a well-kept library); the magnitude arithmetic that follows an
Arabic number (1.17万, 27亿) is a product of the factors in patterns/numbers.yaml.

>>> chinese_value("一千二百")
1200.0
>>> figure_value("1.17", magnitude="万")
11700.0
>>> figure_value("27", magnitude="亿")
2700000000.0
>>> figure_value("千", magnitude="万")    # 千万元: a bare magnitude
10000000.0
>>> figure_value("2,129")
2129.0
>>> figure_value("八", tenths=True)       # 八成 → 80 (unit 成)
80.0
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from functools import cache

import cn2an
import regex

from metrics.rules import load

MAX_VALUE = 1e15  # larger than any real statistic (a thousand trillion); see is_plausible


@cache
def _factors() -> dict[str, float]:
    data = load("numbers")
    return {
        **{k: float(v) for k, v in data["small_units"].items()},
        **{k: float(v) for k, v in data["large_units"].items()},
    }


@cache
def _digit_chars() -> frozenset[str]:
    return frozenset(load("numbers")["digits"])


def magnitude_factor(magnitude: str) -> float:
    """万 → 1e4, 千万 → 1e7, 万亿 → 1e12."""
    factor = 1.0
    for char in magnitude:
        factor *= _factors()[char]
    return factor


@cache
def _numeral_chars() -> frozenset[str]:
    return frozenset(_factors()) | _digit_chars()


def is_chinese_numeral(text: str) -> bool:
    return bool(text) and _numeral_chars().issuperset(text)


@cache
def _tens_spelled() -> dict[int, str]:
    """A tens word as digit and 十 (廿 → 二十, 卅 → 三十): the small units of numbers.yaml that are no power of ten."""
    data = load("numbers")
    digit = {int(v): k for k, v in reversed(data["digits"].items())}  # the first digit of each value (二, not 两)
    return {ord(k): digit[int(v) // 10] + "十" for k, v in data["small_units"].items() if math.log10(v) % 1}


@cache
def chinese_value(text: str) -> float:
    """A Chinese numeral as a number; a numeral that starts with a magnitude counts one of it (千万 → 1e7)."""
    text = text.translate(_tens_spelled())
    if text[0] in _factors() and text[0] != "十":
        text = "一" + text
    try:
        return float(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError):  # cn2an refuses odd shapes such as 万万; fall back to a digit reading
        return _digitwise(text)


def _digitwise(text: str) -> float:
    """A numeral cn2an refuses. Digits after a large magnitude written one by one, without 千百十, are the
    places below it (Taiwan print: 九萬三三七九 → 93379, 六二九億二四二四萬 → 62924240000): the part
    before the largest magnitude times it, plus the part after; a repeated or leading magnitude (万万)
    multiplies."""
    large = load("numbers")["large_units"]
    for unit in sorted(large, key=lambda u: -float(large[u])):
        head, found, tail = text.partition(unit)
        if found and head and unit not in tail:
            return _digitwise(head) * float(large[unit]) + (_digitwise(tail) if tail else 0.0)
    digits = load("numbers")["digits"]
    value = 0.0
    for char in text:
        if char in digits:
            value = value * 10 + digits[char]
        else:
            value = (value or 1) * _factors()[char]
    return value


def arabic_value(text: str) -> float:
    return float(plain_digits(text))


def plain_digits(text: str) -> str:
    """The number without thousands separators (2,129, 128 700) or filler (2\\x1f129): '2129'."""
    return text.replace(",", "").replace(" ", "").replace("\x1f", "")


def compound_rest_value(rest: str) -> float:
    """The lower part of a two-magnitude number: '3622' → 3622, '9 000万' → 90000000, '5百' → 500."""
    value = 0.0
    for digits, magnitude in regex.findall(r"([\d,\x20]+)([千百万]?)", rest):
        value += float(plain_digits(digits)) * (magnitude_factor(magnitude) if magnitude else 1)
    return value


def figure_value(number: str, magnitude: str = "", tenths: bool = False) -> float:
    """The plain value of a figure from its number text, optional magnitude and 成 (tenths).

    Decimal arithmetic, so that 2.3亿 is 230000000 and not 229999999.99999997:

    >>> figure_value("2.3", magnitude="亿")
    230000000.0
    """
    chinese = is_chinese_numeral(number)
    if not magnitude and not tenths:  # a number as written: no arithmetic, so no Decimal (the common case)
        return chinese_value(number) if chinese else _plain_float(number)
    if chinese:
        base = Decimal(repr(chinese_value(number)))
    else:
        try:
            base = Decimal(plain_digits(number))
        except InvalidOperation:
            return math.nan
    value = base * Decimal(repr(magnitude_factor(magnitude))) if magnitude else base
    try:
        return float(value * 10 if tenths else value)
    except OverflowError:
        return math.inf


def _plain_float(number: str) -> float:
    """float(Decimal(digits)) without the Decimal: both round the exact decimal value once, correctly."""
    try:
        return float(plain_digits(number))
    except ValueError:
        return math.nan


def is_plausible(value: float) -> bool:
    """A finite value small enough to be a real statistic (10,000-digit numbers are not)."""
    return math.isfinite(value) and abs(value) < MAX_VALUE
