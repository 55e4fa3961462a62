"""Scoring the extractor against annotated reports (the SCHEMA.md format).

A row matches a gold statistic of the same document when the values agree (relative 1e-6), both are or
both are not changes, a change has the same direction, and the spans overlap. Rows matched to optional
statistics are ignored; other unmatched rows are false finds; required statistics left unmatched are misses.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from metrics.extraction.pipeline import extract
from metrics.record import Record

CHANGE_KINDS = ("change_pct", "change_abs")
FIELDS = ("kind", "unit", "qualifier", "category", "period", "basis", "direction", "metric")
SCORED_FIELDS = ("kind", "unit", "qualifier", "category", "period", "basis")
# The comparable-statistics fields of SCHEMA v2, scored over matched statistics like the old ones.
V2_FIELDS = ("measure", "scope", "period_label")
# A statistic is comparable when it is found (value, span) with these all right.
COMPARABLE_FIELDS = ("category", "measure", "scope", "period_label")


@dataclass
class DocScore:
    doc_id: str
    region_code: str = ""  # the document's code (gold)
    predicted_region_code: str = ""  # the code its records carry, "" when none
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


def predicted_region_code(rows: list[Record]) -> str:
    """The region code a document's records carry (the most frequent non-empty one), or ''."""
    codes = Counter(r.region_code for r in rows if r.region_code)
    return codes.most_common(1)[0][0] if codes else ""


def gold_value(gold: dict, name: str):
    """A gold field, with SCHEMA's defaults for v2 fields an older annotation may lack."""
    if name == "scope":
        return gold.get("scope", "area")
    return gold.get(name)


def is_comparable(row: Record, gold: dict) -> bool:
    return all(getattr(row, n) == gold_value(gold, n) for n in COMPARABLE_FIELDS)


def load_annotated(directory: str | Path) -> list[dict]:
    paths = sorted(Path(directory).glob("*.json"))
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def evaluate_docs(docs: list[dict]) -> dict:
    """Precision, recall, F1 and per-field accuracy over annotated documents."""
    scores = []
    for doc in docs:
        rows = extract(
            doc["text"],
            published=doc.get("published"),
            region=doc.get("region"),
            doc_id=doc["doc_id"],
            source=doc.get("source"),
        )
        score = score_document(doc, rows)
        score.region_code = str(doc.get("region_code") or "")
        score.predicted_region_code = predicted_region_code(rows)
        scores.append(score)
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
    accuracy.update(
        {
            name: (
                sum(getattr(row, name) == gold_value(gold, name) for row, gold in pairs) / len(pairs) if pairs else 0.0
            )
            for name in V2_FIELDS
        }
    )
    coded = [s for s in scores if s.region_code]
    region_code = sum(s.predicted_region_code == s.region_code for s in coded) / len(coded) if coded else 0.0
    comparable = sum(is_comparable(row, gold) for row, gold in pairs) / (tp + fn) if tp + fn else 0.0
    return {
        "documents": len(docs),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": accuracy,
        "region_code": region_code,
        "comparable": comparable,
        "scores": scores,
    }


def evaluate_dir(directory: str | Path) -> dict:
    return evaluate_docs(load_annotated(directory))


def _describe_row(row: Record) -> str:
    return (
        f"{row.surface!r}@{row.start} {row.kind} {row.value:g}{row.unit} {row.direction or ''} "
        f"[{row.metric}|{row.category}|{row.period}|{row.measure}|{row.scope}|{row.period_label}]"
    )


def _describe_gold(gold: dict) -> str:
    return (
        f"{gold['surface']!r}@{gold['start']} {gold['kind']} {gold['value']:g}{gold['unit']} "
        f"{gold.get('direction') or ''} [{gold['metric']}|{gold['category']}|{gold['period']}|"
        f"{gold.get('measure')}|{gold_value(gold, 'scope')}|{gold.get('period_label')}]"
    )


def format_report(report: dict, verbose: bool = False) -> str:
    lines = []
    if verbose:
        for s in report["scores"]:
            for gold in s.misses:
                lines.append(f"MISS  {s.doc_id}: {_describe_gold(gold)}")
            for row in s.false_finds:
                lines.append(f"FALSE {s.doc_id}: {_describe_row(row)}")
            for row, gold in s.matched:
                wrong = [
                    f"{n}={getattr(row, n)!r}≠{gold_value(gold, n)!r}"
                    for n in FIELDS + V2_FIELDS
                    if getattr(row, n) != gold_value(gold, n)
                ]
                if wrong:
                    lines.append(f"FIELD {s.doc_id}: {gold['surface']!r}@{gold['start']} " + "; ".join(wrong))
            if s.region_code and s.predicted_region_code != s.region_code:
                lines.append(f"REGION {s.doc_id}: {s.predicted_region_code!r}≠{s.region_code!r}")
        lines.append("")
    acc = report["accuracy"]
    lines.append(
        f"documents {report['documents']}  matched {report['tp']}  false finds {report['fp']}  misses {report['fn']}"
    )
    lines.append("accuracy  " + "  ".join(f"{n} {acc[n]:.3f}" for n in FIELDS))
    lines.append(
        "comparable  "
        + "  ".join(f"{n} {acc[n]:.3f}" for n in V2_FIELDS)
        + f"  region_code {report['region_code']:.3f} (per document)"
        + f"  comparable {report['comparable']:.3f} (of required statistics)"
    )
    lines.append(f"precision {report['precision']:.3f}  recall {report['recall']:.3f}  F1 {report['f1']:.3f}")
    return "\n".join(lines)
