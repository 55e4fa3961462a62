"""Rebuild a store (usually a damaged one) from its reports into a NEW file, keeping the old file.

The new store is built beside the old one (``metrics.rebuilt-<time>.duckdb``); when it is complete, the
old file (and its WAL) is renamed ``metrics.duckdb.damaged-<time>`` and the new one takes its name, so
the command line and the dashboard find it under the path they already use. Nothing is deleted. The
user's corrections are copied over when the old file can still be read that far (they are keyed by
each statistic's content, so they find their statistics again).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics.store.database import open_store
from metrics.store.pool import IngestOptions, IngestSummary, ingest_local


@dataclass(frozen=True)
class Rebuilt:
    """Where the rebuilt store is, where the old file was kept, what the ingest did."""

    path: Path  # the new store (the old path when swapped)
    kept: Path | None  # the old file, renamed; None when there was none or it was not moved
    summary: IngestSummary
    corrections_copied: int


def _stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"


def _old_corrections(db: Path) -> list[dict]:
    """The corrections of the old file when it can still be read (else none): best effort."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return []
    try:
        frame = con.execute("SELECT * FROM corrections ORDER BY id").df()
    except duckdb.Error:
        return []
    finally:
        con.close()
    return frame.drop(columns=["id"]).to_dict("records")


def _copy_corrections(new: Path, rows: list[dict]) -> int:
    if not rows:
        return 0
    import pandas as pd

    with open_store(new, write=True) as con:
        present = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'corrections'"
            ).fetchall()
        }
        frame = pd.DataFrame(rows)
        frame = frame[[c for c in frame.columns if c in present]]
        con.register("old_corrections", frame)
        names = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f"INSERT INTO corrections ({names}) SELECT {names} FROM old_corrections")
        con.unregister("old_corrections")
    return len(rows)


def rebuild_store(
    db: str | os.PathLike,
    sources: Iterable[str | os.PathLike],
    *,
    swap: bool = True,
    workers: int | None = None,
    progress: bool = False,
) -> Rebuilt:
    """Ingest ``sources`` into a new store file next to ``db``; with ``swap`` (default), rename ``db`` to
    ``<name>.damaged-<time>`` and give the new store its name. UsageError (nothing written) when a source
    does not exist; StoreError when the new file cannot be written (a full disk, a read-only folder)."""
    db = Path(db)
    stamp = _stamp()
    new = db.with_name(f"{db.stem}.rebuilt-{stamp}{db.suffix}")
    summary = ingest_local(list(sources), IngestOptions(db=new, workers=workers, progress=progress))
    if not new.exists():  # no report found: still an (empty) store, so the dashboard opens
        with open_store(new, write=True):
            pass
    copied = _copy_corrections(new, _old_corrections(db)) if db.is_file() else 0
    if not swap:
        return Rebuilt(new, None, summary, copied)
    kept = None
    if db.exists():
        kept = db.with_name(f"{db.name}.damaged-{stamp}")
        os.replace(db, kept)
        wal = db.with_name(db.name + ".wal")
        if wal.exists():
            os.replace(wal, kept.with_name(kept.name + ".wal"))
    os.replace(new, db)
    return Rebuilt(db, kept, summary, copied)
