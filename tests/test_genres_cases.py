"""The extractor against the tables of tests/cases/genres.yaml: number forms, wordings and tables of the
genres beyond the year review (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from metrics import extract

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "genres.yaml").read_text(encoding="utf-8"))
POSITIVE = CASES["number_forms"] + CASES["wording"] + CASES["tables"] + CASES["tables_more"]


def run(case: dict) -> list[dict]:
    published = case.get("published")
    return [r.as_dict() for r in extract(case["text"], published=str(published) if published else None)]


@pytest.mark.parametrize("case", POSITIVE, ids=lambda c: c["id"])
def test_rows(case):
    rows = run(case)
    expected = case["rows"]
    assert len(rows) == len(expected), [r["surface"] for r in rows]
    for row, want in zip(rows, expected):
        for field, value in want.items():
            got = row[field]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and got is not None:
                assert got == pytest.approx(value), (field, row["surface"], got)
            else:
                assert got == value, (field, row["surface"], got)


@pytest.mark.parametrize("case", POSITIVE, ids=lambda c: c["id"])
def test_every_row_is_grounded(case):
    for row in run(case):
        assert case["text"][row["start"] : row["end"]] == row["surface"]


@pytest.mark.parametrize("case", CASES["negatives"], ids=lambda c: c["id"])
def test_no_statistic(case):
    assert [r["surface"] for r in run(case)] == []
