"""Normalising report text for matching, keeping its length so that every offset stays valid.

Full-width ASCII becomes ASCII (２１２９ → 2129, ， → ,), traditional characters become simplified
(萬 → 万, 個 → 个), and converter junk inside words (萬(wàn)) is blanked to FILLER.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

import numpy as np
import regex

from metrics.errors import PatternError
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


class CharMap:
    """A 1:1 character table applied to a text exactly as ``text.translate(table)`` would. str.translate
    looks up a dict for each character (about 80 ns here); for a text of a hundred characters or more one
    array look-up over all its code points is faster (a fixed ~6 µs, then ~0.5 ns a character), so that
    way is taken there. ``where`` names the table's file when a value is not one character (offsets must
    keep their place). Lone surrogates (a badly decoded page) pass through as they are."""

    SHORT = 100  # characters: below this str.translate is faster (measured: equal at about 80)

    def __init__(self, table: dict[int, str], where: str) -> None:
        wrong = [chr(k) + " → " + v for k, v in table.items() if len(v) != 1]
        if wrong:
            raise PatternError(f"{where}: each character must become exactly one character, not {wrong[0]}")
        self.table = table
        self.lookup = np.arange(max(table, default=0) + 1, dtype=np.uint32)
        self.lookup[list(table)] = [ord(v) for v in table.values()]

    def translate(self, text: str) -> str:
        if len(text) < self.SHORT:
            return text.translate(self.table)
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        out = self.lookup.take(codes, mode="clip")
        beyond = codes >= len(self.lookup)
        if beyond.any():
            out[beyond] = codes[beyond]
        return out.tobytes().decode("utf-32-le", "surrogatepass")


@cache
def _normalize_map() -> CharMap:
    return CharMap(translation_table(), "normalize.yaml char_map")


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
    out = _OTHER_DIGITS.sub(_ascii_digit, _normalize_map().translate(text))
    for pattern in junk_patterns():
        out = pattern.sub(lambda m: FILLER * len(m.group()), out)
    if "年" in out:
        out = _spelled_year().sub(_arabic_year, out)
    return out


@cache
def _spelled_year() -> regex.Pattern:
    return compile_checked(load("normalize")["spelled_year"], "normalize.yaml spelled_year")


def _arabic_year(m: regex.Match) -> str:
    """二〇〇七 → 2007, digit for digit (numbers.yaml digits; ○, which the pattern lets stand for 〇, is 0)."""
    digits = load("numbers")["digits"]
    return "".join(str(digits.get(ch, 0)) for ch in m.group())
