"""Taiwan's years of the Republic (民國, 110年 = 2021): read as the Gregorian years every time pattern knows.

A report of Taiwan (region code 710000) is extracted from a copy of its text with each such year written
as the Gregorian year (110年 → 2021年, one character longer), and its records are moved back onto the text
as written: offsets shifted, sentence and metric sliced from the original (``YearsBack.record``). Every
other report is extracted as it is. Written by hand: no library converts ROC years inside running text.
"""

from __future__ import annotations

import bisect
from dataclasses import replace
from functools import cache

import regex

from metrics.record import Record
from metrics.rules import compile_checked, load

TAIWAN_CODE = "710000"
ROC_OFFSET = 1911  # 民國1年 is 1912
NEAR = 400  # characters before a figure where its metric phrase is looked for in the copy


@cache
def _roc_pattern() -> regex.Pattern:
    return compile_checked(load("periods")["roc_year"], "periods.yaml roc_year")


class YearsBack:
    """Offsets and phrases of the converted copy, back onto the text as written."""

    def __init__(self, text: str, converted: str, ends: list[int], added: list[int], years: dict[str, str]) -> None:
        self.text = text
        self.converted = converted
        self.ends = ends  # where each converted year ends in the copy, in order
        self.added = added  # characters added up to and including that year
        self.years = years  # Gregorian year as written in the copy → the ROC year of the text

    def offset(self, pos: int) -> int:
        """The offset in the text of offset ``pos`` of the copy (outside a converted year)."""
        i = bisect.bisect_right(self.ends, pos) - 1
        return pos - (self.added[i] if i >= 0 else 0)

    def phrase(self, phrase: str, before: int) -> str:
        """``phrase`` of the copy as the text writes it: sliced from the text where it stands in the copy
        (its last place starting at or before ``before``, not far from it), else its years written back."""
        at = self.converted.rfind(phrase, max(0, before - NEAR), before + len(phrase)) if phrase else -1
        if at >= 0:
            return self.text[self.offset(at) : self.offset(at + len(phrase))]
        for gregorian, roc in self.years.items():
            phrase = phrase.replace(gregorian, roc)
        return phrase

    def record(self, r: Record) -> Record:
        start, end = self.offset(r.start), self.offset(r.end)
        return replace(
            r,
            start=start,
            end=end,
            surface=self.text[start:end],
            sentence=self.phrase(r.sentence, r.start),
            metric=self.phrase(r.metric, r.start),
        )


def roc_converted(text: str, region_code: str) -> tuple[str, YearsBack] | None:
    """The text with its ROC years written as Gregorian ones, and the way back; None when the report is
    not Taiwan's or names no such year."""
    if region_code != TAIWAN_CODE:
        return None
    pieces: list[str] = []
    ends: list[int] = []
    added: list[int] = []
    years: dict[str, str] = {}
    done = 0
    for m in _roc_pattern().finditer(text):
        gregorian = str(int(m["roc"]) + ROC_OFFSET)
        pieces += [text[done : m.start("roc")], gregorian]
        done = m.end("roc")
        extra = len(gregorian) - len(m["roc"]) + (added[-1] if added else 0)
        ends.append(m.end("roc") + extra)
        added.append(extra)
        years[gregorian + "年"] = m["roc"] + "年"
    if not pieces:
        return None
    converted = "".join(pieces) + text[done:]
    return converted, YearsBack(text, converted, ends, added, years)
