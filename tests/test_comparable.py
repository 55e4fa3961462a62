"""The comparable-statistics fields (SCHEMA.md "schema v2") against tests/cases/comparable.yaml, and the
measure table of metrics/patterns/measures.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from metrics import extract
from metrics.extraction.measure import MEASURE_KEYS, measure_table, unit_norm

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "comparable.yaml").read_text(encoding="utf-8"))
ALL = [case for table in CASES.values() for case in table]


def run(case: dict) -> list[dict]:
    published = case.get("published")
    return [
        r.as_dict()
        for r in extract(case["text"], published=str(published) if published else None, source=case.get("source"))
    ]


@pytest.mark.parametrize("case", ALL, ids=lambda c: c["id"])
def test_comparable_fields(case):
    rows = run(case)
    expected = case["rows"]
    assert [r["surface"] for r in rows] == [w["surface"] for w in expected]
    for row, want in zip(rows, expected):
        for field, value in want.items():
            value = str(value) if field == "period_label" and value is not None else value
            assert row[field] == value, (field, row["surface"], row[field])


def test_measure_table_holds_the_schema_keys_with_labels_and_signs():
    table = measure_table()
    assert tuple(table) == MEASURE_KEYS and len(MEASURE_KEYS) == 28
    assert table["solved"] == {"zh": "破案", "en": "cases solved", "rise": "+"}
    assert table["reports"]["rise"] == "-" and table["deployments"]["rise"] == "·"


@pytest.mark.parametrize(
    "unit, family",
    [
        ("人", "persons"),
        ("名", "persons"),
        ("宗", "cases"),
        ("件", "cases"),
        ("元", "yuan"),
        ("公斤", "kg"),
        ("千克", "kg"),
        ("吨", "tonne"),
        ("%", "percent"),
        ("個", "items"),
        ("", ""),
    ],
)
def test_unit_families(unit, family):
    assert unit_norm(unit) == family


def test_a_police_casualty_is_police_force_whatever_the_words_around():
    rows = extract("全年公安民辅警英勇负伤393名。", published="2024-01-09")
    assert [(r.measure, r.category) for r in rows] == [("police_casualties", "police_force")]


def _reports() -> list[dict]:
    root = Path(__file__).resolve().parent.parent / "data" / "corpus"
    import json

    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(root.glob("dev*/*.json"))]


@pytest.mark.parametrize("doc", _reports(), ids=lambda d: d["doc_id"])
def test_period_is_the_last_year_of_the_label_and_fields_are_known(doc):
    for r in extract(doc["text"], published=doc["published"]):
        if r.period_label is not None:
            assert int(r.period_label.rsplit("/", 1)[-1][:4]) == r.period, (r.surface, r.period_label)
        assert r.measure in MEASURE_KEYS and r.scope in ("area", "case", "context"), r.surface
