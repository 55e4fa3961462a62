"""Speed work must not change what is extracted: every shipped document's records, field by field, are
pinned by a digest in tests/cases/records_digest.json (data/corpus/dev, dev-genres and data/reports).

A change that is meant to alter records (a new rule, a fixed category) updates the pins on purpose:

    .venv/bin/python tests/test_records_unchanged.py --update

and the diff of that file shows which documents it touched. The same digests are checked against the
optional compiled build (tests/test_compiled.py), so pure and compiled extraction give identical records.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIGESTS = ROOT / "tests" / "cases" / "records_digest.json"
SHIPPED = ("data/corpus/dev", "data/corpus/dev-genres", "data/reports")


def shipped_documents() -> list[tuple[str, dict]]:
    """(relative path, document) of every shipped annotated or added report, in a fixed order."""
    return [
        (str(path.relative_to(ROOT)), json.loads(path.read_text(encoding="utf-8")))
        for folder in SHIPPED
        for path in sorted((ROOT / folder).glob("*.json"))
    ]


def current_digests() -> dict[str, str]:
    from metrics import extract
    from metrics.record import records_digest

    return {
        name: records_digest(
            extract(
                doc["text"],
                published=doc.get("published"),
                region=doc.get("region"),
                doc_id=doc.get("doc_id"),
                source=doc.get("source"),
            )
        )
        for name, doc in shipped_documents()
    }


def changed_documents(pinned: dict[str, str], current: dict[str, str]) -> list[str]:
    return sorted(name for name in pinned.keys() | current.keys() if pinned.get(name) != current.get(name))


def test_every_shipped_document_gives_the_pinned_records():
    pinned = json.loads(DIGESTS.read_text(encoding="utf-8"))
    current = current_digests()
    assert len(current) >= 600, "the shipped reports are missing"
    changed = changed_documents(pinned, current)
    assert not changed, (
        f"{len(changed)} documents give other records than pinned (first: {changed[:5]}); if the change is "
        "meant, run: .venv/bin/python tests/test_records_unchanged.py --update"
    )


def test_a_changed_record_changes_the_digest():
    from metrics import extract
    from metrics.record import records_digest

    records = extract("全年刑事打处2129人、逮捕684人,分别同比上升7.8%、42.2%", published="2024-12-31")
    moved = [records[0].__class__(**{**records[0].as_dict(), "category": "drugs"}), *records[1:]]
    assert records_digest(records) != records_digest(moved)
    assert changed_documents({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}) == ["b", "c"]


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_records_unchanged.py --update")
    sys.path.insert(0, str(ROOT))
    DIGESTS.write_text(json.dumps(current_digests(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"pinned the records of {len(json.loads(DIGESTS.read_text(encoding='utf-8')))} documents in {DIGESTS}")
