"""metrics/extraction/tables.py on its own: cells, header columns, the splitting of space-grouped thousands."""

from __future__ import annotations

import math

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics import extract
from metrics.extraction.normalize import normalize
from metrics.extraction.table_headers import header_columns
from metrics.extraction.tables import TOKEN, TOKEN_LAST, split_run, table_cells


def tokens(*texts: str) -> list[tuple[int, int, str]]:
    out, at = [], 0
    for text in texts:
        out.append((at, at + len(text), text))
        at += len(text) + 1
    return out


def test_space_grouped_thousands_join_in_the_one_way_the_column_count_allows():
    groups = split_run(tokens("42", "923", "45", "315", "+2", "392", "+5.6"), 4)
    assert [" ".join(t[2] for t in g) for g in groups] == ["42 923", "45 315", "+2 392", "+5.6"]


def test_an_ambiguous_run_gives_no_cells():
    # 1 234 567 into two cells: "1 234" + "567" or "1" + "234 567"
    assert split_run(tokens("1", "234", "567"), 2) is None


def test_tokens_stay_cells_when_their_number_is_the_column_count():
    assert len(split_run(tokens("13", "318", "2372", "2703"), 4)) == 4


def test_header_years_and_change_words_in_order():
    columns = header_columns(normalize("項目 2013年 2014年 數量差距 百份率差距"))
    assert [(c.kind, c.year) for c in columns] == [
        ("count", 2013),
        ("count", 2014),
        ("change_abs", None),
        ("change_pct", None),
    ]


def test_cells_are_grounded_and_take_their_column():
    text = "項目\t2022年\t2023年\t增減\n盜竊\t1,204\t1,150\t-54\n搶劫\t88\t91\t+3\n"
    cells = table_cells(normalize(text))
    assert [text[c.start : c.end] for c in cells] == ["1,204", "1,150", "-54", "88", "91", "+3"]
    assert [(c.kind, c.period, c.direction) for c in cells[:3]] == [
        ("count", 2022, None),
        ("count", 2023, None),
        ("change_abs", 2023, "down"),
    ]


def test_a_single_line_of_prose_numbers_is_no_table():
    assert table_cells(normalize("截至目前 共有 12 34 个")) == []


TABLE_FRAGMENTS = [
    "項目",
    "2022年",
    "2023",
    "增減",
    "百分率",
    "數量差距",
    "本期",
    "去年同期",
    "總體罪案",
    "刑事类",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "42",
    "923",
    "+2",
    "-8.10%",
    "(38)",
    "2,474",
    "0571",
    "+5.6",
    "萬",
    "宗",
    "。",
    "、",
    "\u200b",
    "\x1f",
    "−",
    "1 285",
]


@given(st.lists(st.sampled_from(TABLE_FRAGMENTS), max_size=60).map("".join))
@settings(max_examples=200, deadline=None)
def test_table_like_text_gives_grounded_finite_rows(text):
    for row in extract(text, published="2024-06-01"):
        assert text[row.start : row.end] == row.surface
        assert math.isfinite(row.value) and row.value >= 0


def test_a_long_run_of_thousands_groups_is_split_quickly_or_refused():
    import time

    started = time.perf_counter()
    assert split_run(tokens(*(["123"] * 60)), 20) is None  # many ways: refused
    groups = split_run(tokens(*(["+1", "234"] * 30)), 30)  # one way: each sign starts a cell
    assert [" ".join(t[2] for t in g) for g in groups] == ["+1 234"] * 30
    assert time.perf_counter() - started < 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789,.%()+- \u0663", min_size=1, max_size=12))
def test_a_number_token_ends_with_a_character_the_row_check_accepts(text):
    # _line_row skips a line whose last character is not TOKEN_LAST before it searches for number runs
    for m in regex.finditer(TOKEN, text):
        assert TOKEN_LAST.fullmatch(m.group()[-1]), m.group()
