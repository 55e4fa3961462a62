"""The extractor on the shipped annotated reports (data/corpus): grounding and pinned scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metrics import COLUMNS, extract, to_frame
from metrics.extraction.evaluate import evaluate_dir, load_annotated

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus" / "dev"
DOCS = load_annotated(CORPUS)

# Measured with `python -m metrics eval data/corpus` (deterministic). Floors: they may only go up.
FLOORS = {"precision": 0.997, "recall": 0.998, "f1": 0.997}
FIELD_FLOORS = {
    "kind": 0.997,
    "unit": 0.998,
    "qualifier": 1.0,
    "category": 0.944,
    "period": 0.985,
    "basis": 0.989,
    "direction": 1.0,
}
# The comparable-statistics fields of SCHEMA v2 (issue 10), measured the same way; floors, not targets
# (the issue asks measure 0.95, scope 0.97, period_label 0.93, comparable 0.85 on both corpora).
V2_FLOORS = {"measure": 0.960, "scope": 0.993, "period_label": 0.959}
COMPARABLE_FLOOR = 0.878
GENRES = CORPUS.parent / "dev-genres"
GENRES_V2_FLOORS = {"measure": 0.962, "scope": 0.997, "period_label": 0.943, "category": 0.975, "period": 0.950}
GENRES_COMPARABLE_FLOOR = 0.884


def test_the_whole_corpus_is_shipped():
    assert len(DOCS) >= 50
    assert all(doc["source"] and doc["text"] for doc in DOCS)


def sentence_covers(text: str, sentence: str, start: int, end: int) -> bool:
    """Does ``sentence`` stand in ``text`` where it covers text[start:end] (the figure it carries)?"""
    at = text.find(sentence, max(0, end - len(sentence)))
    return bool(sentence) and 0 <= at <= start and end <= at + len(sentence)


def test_sentence_covers_fails_for_a_sentence_elsewhere():
    text = "甲。打处5人。乙。"
    assert sentence_covers(text, "打处5人。", 4, 6) and not sentence_covers(text, "乙。", 4, 6)


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d["doc_id"])
def test_every_row_is_grounded(doc):
    records = extract(doc["text"], published=doc["published"], region=doc["region"], doc_id=doc["doc_id"])
    assert records, "a report with statistics gave no row"
    for r in records:
        assert doc["text"][r.start : r.end] == r.surface
        assert r.end - r.start == len(r.surface) > 0
        assert sentence_covers(doc["text"], r.sentence, r.start, r.end), r.surface


def test_scores_do_not_fall_below_what_was_measured():
    report = evaluate_dir(CORPUS)
    for name, floor in FLOORS.items():
        assert report[name] >= floor, (name, report[name])
    for name, floor in FIELD_FLOORS.items():
        assert report["accuracy"][name] >= floor, (name, report["accuracy"][name])


def test_comparable_scores_do_not_fall_below_what_was_measured():
    report = evaluate_dir(CORPUS)
    for name, floor in V2_FLOORS.items():
        assert report["accuracy"][name] >= floor, (name, report["accuracy"][name])
    assert report["comparable"] >= COMPARABLE_FLOOR, report["comparable"]


def test_comparable_scores_on_other_genres_do_not_fall():
    report = evaluate_dir(GENRES)
    for name, floor in GENRES_V2_FLOORS.items():
        assert report["accuracy"][name] >= floor, (name, report["accuracy"][name])
    assert report["comparable"] >= GENRES_COMPARABLE_FLOOR, report["comparable"]


def test_scores_meet_the_targets_of_the_issue():
    report = evaluate_dir(CORPUS)
    assert report["f1"] >= 0.95
    assert min(report["accuracy"][k] for k in ("kind", "unit", "qualifier", "period")) >= 0.95
    assert report["accuracy"]["category"] >= 0.90


def test_evaluation_is_deterministic():
    first, second = evaluate_dir(CORPUS), evaluate_dir(CORPUS)
    assert (first["tp"], first["fp"], first["fn"], first["accuracy"]) == (
        second["tp"],
        second["fp"],
        second["fn"],
        second["accuracy"],
    )


def test_frame_has_the_contract_columns_in_order():
    doc = DOCS[0]
    frame = to_frame(extract(doc["text"], published=doc["published"], doc_id=doc["doc_id"]))
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame.columns[:16]) == [
        "doc_id",
        "region",
        "published",
        "metric",
        "category",
        "kind",
        "value",
        "unit",
        "qualifier",
        "direction",
        "basis",
        "period",
        "surface",
        "start",
        "end",
        "sentence",
    ]
    assert frame["value"].dtype == "float64"


def test_empty_frame_keeps_the_columns():
    assert list(to_frame([]).columns) == list(COLUMNS)


def test_annotated_files_are_valid_json_with_offsets(tmp_path):
    for path in sorted(CORPUS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for m in doc["metrics"]:
            assert doc["text"][m["start"] : m["start"] + len(m["surface"])] == m["surface"], (path.name, m)
