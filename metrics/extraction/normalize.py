"""Normalising report text for matching, keeping its length so that every offset stays valid.

Full-width ASCII becomes ASCII (２１２９ → 2129, ， → ,), traditional characters become simplified
(萬 → 万, 個 → 个), and converter junk inside words (萬(wàn)) is blanked to FILLER.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

import regex

from metrics.rules import compile_checked, load

FILLER = "\x1f"  # stands where junk was blanked; the figure pattern may skip it


def _opencc_single_chars() -> dict[int, str]:
    """Traditional → simplified for single characters, from OpenCC's own dictionary (1:1, so lengths hold)."""
    table: dict[int, str] = {}
    text = resources.files("opencc").joinpath("dictionary/TSCharacters.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        trad, _, simp = line.partition("\t")
        first = simp.split(" ")[0] if simp else ""
        if len(trad) == 1 and len(first) == 1 and trad != first:
            table[ord(trad)] = first
    return table


@cache
def translation_table() -> dict[int, str]:
    table = _opencc_single_chars()
    table.update({code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)})  # full-width ASCII
    table.update({ord(k): v for k, v in load("normalize")["char_map"].items() if len(k) == len(v) == 1})
    return table


@cache
def junk_patterns() -> list:
    return [compile_checked(p, "normalize.yaml junk") for p in load("normalize")["junk"]]


# Decimal digits other than 0-9 (Arabic-Indic ٣, Devanagari ३ ...): the patterns' \d matches them, so they
# become their ASCII digit; a digit newer than this Python's Unicode tables (the regex package may know
# more) becomes U+FFFD, never a number that float() or int() cannot read.
_OTHER_DIGITS = regex.compile(r"[^\P{Nd}0-9]")


def _ascii_digit(m: regex.Match) -> str:
    value = unicodedata.decimal(m.group(), None)
    return "\ufffd" if value is None else str(value)


def normalize(text: str) -> str:
    """The text with the same length, ready for matching.

    >>> normalize("１.8萬(wàn)餘人，同比")
    '1.8万\\x1f\\x1f\\x1f\\x1f\\x1f余人,同比'
    """
    out = _OTHER_DIGITS.sub(_ascii_digit, text.translate(translation_table()))
    for pattern in junk_patterns():
        out = pattern.sub(lambda m: FILLER * len(m.group()), out)
    return out
