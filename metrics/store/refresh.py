"""Re-extract a store's documents when the extractor changed since they were extracted.

A store records the extractor version that wrote its statistics (``schema.extractor_version``: a digest of
the extraction code and the pattern files). After a pull that changes a rule, the stored statistics are the
old rule's until ``refresh_store`` re-extracts every stored document from its stored text, uploads and
pasted reports included: the documents, their sources, fingerprints and the corrections log stay as they
are (corrections find their statistics again by content; one whose statistic's value changed is left in
the log, unapplied, as when a report is replaced). ``make run`` refreshes before it opens the dashboard.

Each batch of documents is one short write (the dashboard's readers wait at most one batch); the version
is recorded only after the last batch, so an interrupted refresh is resumed from the start by the next.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from metrics.errors import InputError, StoreMissingError
from metrics.record import DOCUMENT_COLUMNS, Document
from metrics.store.database import memory_for_batch, open_store
from metrics.store.pool import statistics_rows
from metrics.store.schema import extractor_version, mark_extractor, stored_extractor
from metrics.store.writing import insert_statistics, statistics_with_ids

BATCH = 64  # documents re-extracted per write


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did: nothing (``current``), or the documents re-extracted and the statistics before
    and after; ``failures`` names documents the current extractor failed on (their old statistics kept)."""

    current: bool
    documents: int = 0
    before: int = 0
    after: int = 0
    failures: tuple[str, ...] = ()

    def line(self) -> str:
        if self.current:
            return "the stored statistics are the current extractor's: nothing to re-extract"
        failed = f"; {len(self.failures)} failed, their statistics kept" if self.failures else ""
        return (
            f"re-extracted {self.documents} documents with the current extractor: "
            f"{self.before:,} statistics before, {self.after:,} now{failed}"
        )


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def is_stale(db: str | os.PathLike) -> bool:
    """True when the store file ``db`` was extracted by another extractor version than this one; False
    when there is no store file (a Parquet dataset folder, nothing yet). StoreError when it cannot be read."""
    if not Path(db).is_file():
        return False
    with open_store(db) as con:
        return stored_extractor(con) != extractor_version()


def refresh_store(db: str | os.PathLike, *, progress: bool = False) -> Refreshed:
    """Re-extract every document of ``db`` that holds statistics (a near-duplicate links to its first copy
    and holds none) when the store was extracted by another extractor version; StoreMissingError when
    there is no store, StoreError when it cannot be read or written."""
    db = Path(db)
    if not db.is_file():
        raise StoreMissingError(f"no store at {db}: run `python -m metrics ingest data/corpus` first")
    version = extractor_version()
    if not is_stale(db):  # a reader's check: a current store is never opened for writing (it may be read-only)
        return Refreshed(current=True)
    with open_store(db, write=True) as con:
        if stored_extractor(con) == version:  # another process refreshed it meanwhile
            return Refreshed(current=True)
        doc_ids = [
            row[0]
            for row in con.execute(
                "SELECT doc_id FROM documents WHERE doc_id NOT IN "
                "(SELECT doc_id FROM document_fingerprints WHERE duplicate_of IS NOT NULL) ORDER BY doc_id"
            ).fetchall()
        ]
        before = con.execute("SELECT count(*) FROM statistics").fetchall()[0][0]
    bar = _progress(len(doc_ids)) if progress else None
    failures: list[str] = []
    for batch in _batches(doc_ids, BATCH):
        failures += _refresh_batch(db, batch)
        if bar is not None:
            bar.update(len(batch))
    if bar is not None:
        bar.close()
    with open_store(db, write=True) as con:
        mark_extractor(con, version)
        after = con.execute("SELECT count(*) FROM statistics").fetchall()[0][0]
    return Refreshed(False, len(doc_ids), before, after, tuple(failures))


def _refresh_batch(db: Path, doc_ids: list[str]) -> list[str]:
    """Re-extract one batch and replace its statistics in one transaction; the failures' reasons."""
    names = ", ".join(f'"{c}"' for c in DOCUMENT_COLUMNS)
    with open_store(db) as con:
        rows = con.execute(f"SELECT {names} FROM documents WHERE doc_id IN (SELECT unnest(?))", [doc_ids]).fetchall()
    statistics, done, failures, chars = [], [], [], 0
    for row in rows:
        doc = Document(**dict(zip(DOCUMENT_COLUMNS, row, strict=True)))
        try:
            statistics += statistics_with_ids(doc.doc_id, statistics_rows(doc))
        except InputError as exc:
            failures.append(str(exc))
            continue
        done.append(doc.doc_id)
        chars += len(doc.text)
    with open_store(db, write=True) as con, memory_for_batch(con, chars):
        con.begin()
        con.execute("DELETE FROM statistics WHERE doc_id IN (SELECT unnest(?))", [done])
        insert_statistics(con, statistics)
        con.commit()
    return failures


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="re-extracting", leave=False)
