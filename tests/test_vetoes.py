"""The vetoes of patterns/ignore.yaml (a phone number, a date, a road marker is no statistic), read from one
index per document (change_and_veto.Vetoes) rather than by scanning the characters beside each number."""

from __future__ import annotations

import random

import pytest
from test_records_unchanged import shipped_documents

from metrics.extraction.change_and_veto import LOOKAHEAD, LOOKBACK, Vetoes, veto_patterns
from metrics.extraction.figure import figure_pattern
from metrics.extraction.normalize import normalize
from support import varied_digits


def vetoed_by_window(norm: str, start: int, end: int) -> bool:
    """The veto as it was defined first: each pattern matched in a window beside the number."""
    before, after, around = veto_patterns()
    if before.search(norm[max(0, start - LOOKBACK) : start]) or after.match(norm[end : end + LOOKAHEAD]):
        return True
    window_start = max(0, start - 16)
    return any(
        m.start() <= start - window_start and m.end() >= end - window_start
        for m in around.finditer(norm[window_start : end + 16])
    )


def numbers_of(norm: str) -> list[tuple[int, int]]:
    return [(m.start("num"), m.end()) for m in figure_pattern().finditer(norm)]


@pytest.mark.parametrize(
    ("text", "number", "vetoed"),
    [
        ("举报电话0577-88881234,全年破案120起", "88881234", True),
        ("举报电话0577-88881234,全年破案120起", "120起", False),
        ("2024-01-15发布:抓获嫌疑人15人", "15发布", True),  # the day of a date
        ("2024-01-15发布:抓获嫌疑人15人", "15人", False),
        ("于2024年1月15日抓获嫌疑人15人", "15人", False),
        ("拨打13912345678报警,共接警3次", "3次", False),
        ("拨打13912345678报警,共接警3次", "12345678", True),
        ("在K12+300处发生事故2起", "300", True),
        ("25路公交反诈专线开通,覆盖6万人", "6万人", False),
    ],
)
def test_a_number_inside_a_code_or_a_date_is_vetoed_and_its_neighbours_are_not(text, number, vetoed):
    norm = normalize(text)
    start = norm.index(number)
    end = start + len(number.rstrip("发布人起次"))
    assert Vetoes(norm).is_vetoed(start, end) is vetoed


class Found:
    """A match's span, as the index reads it."""

    def __init__(self, start: int, end: int) -> None:
        self.span = (start, end)

    def start(self) -> int:
        return self.span[0]

    def end(self) -> int:
        return self.span[1]


def test_a_long_match_covers_a_number_after_a_shorter_match_that_starts_later():
    # the match from 0 reaches furthest: a lookup must not stop at the later, shorter one from 4
    vetoes = Vetoes("x" * 30, [Found(0, 20), Found(4, 8), Found(25, 27)])
    assert vetoes.inside_around(10, 12)
    assert vetoes.inside_around(0, 20)
    assert not vetoes.inside_around(10, 21)
    assert not vetoes.inside_around(22, 24)
    assert vetoes.inside_around(25, 26)


def test_the_index_vetoes_exactly_what_the_windows_beside_each_number_veto():
    """Every number the figure pattern finds in every shipped report, and in the same reports with every
    digit varied (phone numbers and dates of other shapes), is vetoed or kept as the windows decided."""
    rng = random.Random(3)
    texts = [doc["text"] for _, doc in shipped_documents()]
    checked = differing = 0
    for text in texts + [varied_digits(t, rng) for t in texts]:
        norm = normalize(text)
        vetoes = Vetoes(norm)
        for start, end in numbers_of(norm):
            checked += 1
            differing += vetoes.is_vetoed(start, end) != vetoed_by_window(norm, start, end)
    assert checked >= 14_000  # the 7,000 numbers of the shipped reports, twice
    assert differing == 0
