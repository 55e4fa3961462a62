"""The extractor on data/corpus/dev-genres (tables, bulletins, Hong Kong/Macao/Taiwan reports): every row
grounded, scores pinned as floors."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import extract
from metrics.extraction.evaluate import evaluate_dir, load_annotated

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus" / "dev-genres"
DOCS = load_annotated(CORPUS)

# Measured with `python -m metrics eval data/corpus/dev-genres` (deterministic). Floors: they may only go up.
FLOORS = {"precision": 0.994, "recall": 0.997, "f1": 0.995}
FIELD_FLOORS = {"kind": 0.997, "unit": 0.992, "category": 0.975, "period": 0.950, "basis": 0.975}


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d["doc_id"])
def test_every_row_is_grounded(doc):
    for r in extract(doc["text"], published=doc["published"], region=doc["region"], doc_id=doc["doc_id"]):
        assert doc["text"][r.start : r.end] == r.surface


def test_scores_do_not_fall_below_what_was_measured():
    report = evaluate_dir(CORPUS)
    for name, floor in FLOORS.items():
        assert report[name] >= floor, (name, report[name])
    for name, floor in FIELD_FLOORS.items():
        assert report["accuracy"][name] >= floor, (name, report["accuracy"][name])
