"""The extractor against the tables of tests/cases/extract.yaml (see its header for the tables)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from metrics import extract

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "extract.yaml").read_text(encoding="utf-8"))


def run(case: dict) -> list[dict]:
    published = case.get("published")
    return [r.as_dict() for r in extract(case["text"], published=str(published) if published else None)]


def assert_rows(case: dict) -> None:
    rows = run(case)
    expected = case["rows"]
    assert len(rows) == len(expected), [r["surface"] for r in rows]
    for row, want in zip(rows, expected):
        for field, value in want.items():
            got = row[field]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and got is not None:
                assert got == pytest.approx(value), (field, row["surface"])
            else:
                expected = str(value) if field in ("period_label", "published") and value else value
                assert got == expected, (field, row["surface"])


@pytest.mark.parametrize("case", CASES["core"] + CASES["bugs"], ids=lambda c: c["id"])
def test_rows(case):
    assert_rows(case)


@pytest.mark.parametrize("case", CASES["negatives"], ids=lambda c: c["id"])
def test_no_statistic(case):
    assert [r["surface"] for r in run(case)] == []


@pytest.mark.parametrize("case", CASES["xfail"], ids=lambda c: c["id"])
@pytest.mark.xfail(strict=True, reason="known failure; move the case to core once fixed")
def test_known_failures(case):
    assert_rows(case)


@pytest.mark.parametrize("case", CASES["core"] + CASES["bugs"], ids=lambda c: c["id"])
def test_every_row_is_grounded(case):
    for row in run(case):
        assert case["text"][row["start"] : row["end"]] == row["surface"]
