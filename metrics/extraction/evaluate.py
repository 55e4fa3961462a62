"""Scoring the extractor against annotated reports (the SCHEMA.md format).

A row matches a gold statistic of the same document when the values agree (relative 1e-6), both are or
both are not changes, a change has the same direction, and the spans overlap. Rows matched to optional
statistics are ignored; other unmatched rows are false finds; required statistics left unmatched are misses.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from metrics.extraction.pipeline import extract
from metrics.record import Record

CHANGE_KINDS = ("change_pct", "change_abs")
FIELDS = ("kind", "unit", "qualifier", "category", "period", "basis", "direction", "metric")
SCORED_FIELDS = ("kind", "unit", "qualifier", "category", "period", "basis")


@dataclass
class DocScore:
    doc_id: str
    matched: list[tuple[Record, dict]] = field(default_factory=list)  # (row, gold) on required golds
    ignored: list[tuple[Record, dict]] = field(default_factory=list)  # rows matched to optional golds
    false_finds: list[Record] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)


def values_agree(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def is_match(row: Record, gold: dict) -> bool:
    """The issue's matching rule for one row and one gold statistic."""
    gold_start = gold["start"]
    gold_end = gold_start + len(gold["surface"])
    if not (row.start < gold_end and gold_start < row.end):
        return False
    if not values_agree(row.value, float(gold["value"])):
        return False
    row_change, gold_change = row.kind in CHANGE_KINDS, gold["kind"] in CHANGE_KINDS
    if row_change != gold_change:
        return False
    return not row_change or row.direction == gold.get("direction")


def score_document(doc: dict, rows: list[Record]) -> DocScore:
    """Pair rows with gold statistics one to one; required golds are served first."""
    score = DocScore(doc["doc_id"])
    golds = sorted(doc["metrics"], key=lambda g: (not g.get("required", True), g["start"]))
    free = list(rows)
    for gold in golds:
        candidates = [r for r in free if is_match(r, gold)]
        if not candidates:
            if gold.get("required", True):
                score.misses.append(gold)
            continue
        best = min(candidates, key=lambda r: (abs(r.start - gold["start"]), r.end - r.start))
        free.remove(best)
        (score.matched if gold.get("required", True) else score.ignored).append((best, gold))
    score.false_finds = free
    return score


def load_annotated(directory: str | Path) -> list[dict]:
    paths = sorted(Path(directory).glob("*.json"))
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def evaluate_docs(docs: list[dict]) -> dict:
    """Precision, recall, F1 and per-field accuracy over annotated documents."""
    scores = []
    for doc in docs:
        rows = extract(doc["text"], published=doc.get("published"), region=doc.get("region"),
                       doc_id=doc["doc_id"])
        scores.append(score_document(doc, rows))
    tp = sum(len(s.matched) for s in scores)
    fp = sum(len(s.false_finds) for s in scores)
    fn = sum(len(s.misses) for s in scores)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    pairs = [pair for s in scores for pair in s.matched]
    accuracy = {
        name: (sum(getattr(row, name) == gold.get(name) for row, gold in pairs) / len(pairs) if pairs else 0.0)
        for name in FIELDS
    }
    return {"documents": len(docs), "tp": tp, "fp": fp, "fn": fn, "precision": precision,
            "recall": recall, "f1": f1, "accuracy": accuracy, "scores": scores}


def evaluate_dir(directory: str | Path) -> dict:
    return evaluate_docs(load_annotated(directory))


def _describe_row(row: Record) -> str:
    return (f"{row.surface!r}@{row.start} {row.kind} {row.value:g}{row.unit} {row.direction or ''} "
            f"[{row.metric}|{row.category}|{row.period}]")


def _describe_gold(gold: dict) -> str:
    return (f"{gold['surface']!r}@{gold['start']} {gold['kind']} {gold['value']:g}{gold['unit']} "
            f"{gold.get('direction') or ''} [{gold['metric']}|{gold['category']}|{gold['period']}]")


def format_report(report: dict, verbose: bool = False) -> str:
    lines = []
    if verbose:
        for s in report["scores"]:
            for gold in s.misses:
                lines.append(f"MISS  {s.doc_id}: {_describe_gold(gold)}")
            for row in s.false_finds:
                lines.append(f"FALSE {s.doc_id}: {_describe_row(row)}")
            for row, gold in s.matched:
                wrong = [f"{n}={getattr(row, n)!r}≠{gold.get(n)!r}" for n in FIELDS if getattr(row, n) != gold.get(n)]
                if wrong:
                    lines.append(f"FIELD {s.doc_id}: {gold['surface']!r}@{gold['start']} " + "; ".join(wrong))
        lines.append("")
    acc = report["accuracy"]
    lines.append(f"documents {report['documents']}  matched {report['tp']}  false finds {report['fp']}  misses {report['fn']}")
    lines.append("accuracy  " + "  ".join(f"{n} {acc[n]:.3f}" for n in FIELDS))
    lines.append(f"precision {report['precision']:.3f}  recall {report['recall']:.3f}  F1 {report['f1']:.3f}")
    return "\n".join(lines)
