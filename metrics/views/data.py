"""The dashboard's access to the store (metrics.store): a store file or a Parquet dataset folder, through
the one interface of metrics.store.backends; every call opens the file briefly and closes it.

Errors come back as StoreProblem with a kind the page turns into "what to run", never a traceback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metrics.errors import StoreError, StoreProblem
from metrics.store import DEFAULT_DB, ingest, ingest_upload_bytes, load_series_points, store_at
from metrics.store.backends import Backend
from metrics.store.database import open_store
from metrics.store.rebuild import rebuild_store
from metrics.store.refresh import is_stale, refresh_store
from metrics.store.series import disagreements

UPLOAD_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx")
UPLOAD_LIMIT_MB = 5


@dataclass(frozen=True)
class UploadOutcome:
    """What happened to one uploaded or pasted report: a string-table key and its values."""

    ok: bool
    message_key: str
    values: dict


def default_db() -> str:
    """The store's default path (metrics.store.DEFAULT_DB)."""
    return str(DEFAULT_DB)


def resolve_db_path(argv: Sequence[str], environ: Mapping[str, str], default: str) -> str:
    """The store path: ``--db PATH`` (or ``--db=PATH``) in the script args, else METRICS_DB, else ``default``.

    >>> resolve_db_path(["--db", "a.duckdb"], {"METRICS_DB": "b.duckdb"}, "c.duckdb")
    'a.duckdb'
    >>> resolve_db_path([], {"METRICS_DB": "b.duckdb"}, "c.duckdb")
    'b.duckdb'
    """
    args = list(argv)
    for index, arg in enumerate(args):
        if arg == "--db" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--db="):
            return arg.split("=", 1)[1]
    return environ.get("METRICS_DB") or default


def guarded(call: Callable[[Backend], object], db: str):
    """Run ``call`` on the store (file or dataset) at ``db``; turn a missing store or any database/OS
    error into StoreProblem."""
    backend = store_at(db)
    if backend.version() == "missing":
        raise StoreProblem("missing", db)
    try:
        return call(backend)
    except (StoreProblem, ValueError):
        raise
    except StoreError as exc:  # the store's own diagnosis: busy, out of memory, damaged, unreadable, full
        raise StoreProblem(
            exc.kind if exc.kind in ("busy", "memory") else "broken", str(exc)
        ) from None  # ValueError: the store refused a value (a correction out of range): the caller says why
    except Exception as exc:  # duckdb.IOException, duckdb.Error, OSError, a corrupt file...
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        busy = "lock" in str(exc).lower()
        raise StoreProblem("busy" if busy else "broken", reason) from None


def read_version(db: str) -> str:
    """The store's content version (the cache key)."""
    return str(guarded(lambda store: store.version(), db))


def read_version_or_none(db: str) -> str | None:
    """The store's content version, None when it cannot be read now (the page says why when it reads it)."""
    try:
        return read_version(db)
    except StoreProblem:
        return None


def read_statistics(db: str) -> pd.DataFrame:
    """All statistics, corrections applied."""
    return guarded(lambda store: store.statistics(), db)


def read_series_points(db: str) -> pd.DataFrame:
    """One row per series point with its sources (metrics.store.load_series_points; cached by store version)."""
    return guarded(lambda store: load_series_points(store.path), db)


def read_disagreements(db: str) -> pd.DataFrame:
    """Where two reports, or a report and a change stated in another, disagree beyond their rounding."""
    return disagreements(read_series_points(db))


def read_document(db: str, doc_id: str) -> dict | None:
    """One document (text, source, title, region, published) or None."""
    return guarded(lambda store: store.document(doc_id), db)


def read_corrections(db: str) -> pd.DataFrame:
    """The user's corrections, newest last."""
    return guarded(lambda store: store.corrections(), db)


def save_correction(db: str, stat: str, field: str, value: object, *, seen: object, author: str) -> int:
    """Store one correction of the statistic ``stat`` (its stat_key) if its ``field`` still holds ``seen``
    (the value the user was shown); its id. A stale edit or a statistic gone is a ValueError saying so."""
    return int(guarded(lambda store: store.add_correction(stat, field, value, seen=seen, author=author), db))


def save_corrections(
    db: str, stat: str, changes: Mapping[str, object], seen: Mapping[str, object], author: str
) -> None:
    """Save each changed field of the statistic ``stat`` if it still holds what the viewer saw (an empty or
    missing value seen as ''); the first refusal is a ValueError saying why (the fields before it are kept)."""
    for field, value in changes.items():
        shown = seen.get(field)
        save_correction(db, stat, field, value, seen="" if shown is None or pd.isna(shown) else shown, author=author)


def remove_correction(db: str, correction_id: int) -> None:
    """Undo one correction."""
    guarded(lambda store: store.undo_correction(correction_id), db)


def upload_problem(name: str, size: int, limit_mb: int) -> UploadOutcome | None:
    """Why an upload is refused before reading it (type or size), or None when it may be ingested.

    >>> upload_problem("a.exe", 10, 5).message_key
    'bad_type'
    >>> upload_problem("a.txt", 6 * 2**20, 5).values["size"]
    6.0
    """
    if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
        return UploadOutcome(False, "bad_type", {"name": name})
    if size > limit_mb * 2**20:
        return UploadOutcome(False, "too_large", {"name": name, "size": round(size / 2**20, 1), "limit": limit_mb})
    return None


def valid_date(text: str) -> str | None:
    """An ISO date as given, None for empty; ValueError for anything else."""
    text = text.strip()
    return dt.date.fromisoformat(text).isoformat() if text else None


def ingest_upload(
    db: str, name: str, data: bytes, *, region: str | None, published: str | None, limit_mb: int = UPLOAD_LIMIT_MB
) -> UploadOutcome:
    """Check and ingest one report's bytes; the outcome to show (never raises for a bad file)."""
    problem = upload_problem(name, len(data), limit_mb)
    if problem is not None:
        return problem
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    try:
        summary = ingest_upload_bytes(name, data, db=db, region=region or None, published=published or None)
    except Exception as exc:  # a reader or database error for this one file
        return UploadOutcome(False, "ingest_failed", {"name": name, "reason": f"{type(exc).__name__}: {exc}"})
    if summary.failed:
        failures = summary.failures or ["unreadable"]
        return UploadOutcome(False, "ingest_failed", {"name": name, "reason": str(failures[0])})
    digest = hashlib.sha256(data).hexdigest()
    if getattr(summary, "skipped", 0) and not getattr(summary, "files_read", 0):
        return UploadOutcome(True, "ingest_skipped", {"name": name, "content_hash": digest})
    return UploadOutcome(
        True, "ingested", {"name": name, "count": getattr(summary, "statistics", 0), "content_hash": digest}
    )


def ingest_uploads(
    db: str, files: Sequence[tuple[str, bytes]], *, region: str | None, published: str | None
) -> list[tuple[bool, str, dict]]:
    """Check and ingest each (name, bytes) with the region (blank: none) and date given for all; each
    outcome as (ok, string-table key, its values), what the page's review shows."""
    outcomes = [
        ingest_upload(db, name, payload, region=(region or "").strip() or None, published=published)
        for name, payload in files
    ]
    return [(o.ok, o.message_key, o.values) for o in outcomes]


def doc_id_for_content(db: str, content_hash: str) -> str | None:
    """The doc_id of the stored document with these bytes (sha256), or None."""

    def lookup(path: str) -> str | None:
        with open_store(path) as con:
            row = con.execute("SELECT doc_id FROM documents WHERE content_hash = ?", [content_hash]).fetchall()
        return str(row[0][0]) if row else None

    if not Path(db).is_file():
        return None
    try:
        return lookup(db)
    except Exception as exc:  # a database error: the caller shows the outcome without the review
        raise StoreProblem("broken", f"{type(exc).__name__}") from None


def read_documents(db: str) -> pd.DataFrame:
    """One row per stored document (doc_id, region, published, title, source, ingested_at...)."""

    def listing(path: str) -> pd.DataFrame:
        with open_store(path) as con:
            return con.execute(
                "SELECT doc_id, region, published, title, source, path, ingested_at FROM documents ORDER BY doc_id"
            ).df()

    if not Path(db).is_file():
        raise StoreProblem("missing", db)
    try:
        return listing(db)
    except Exception as exc:
        raise StoreProblem("broken", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None


SHIPPED_SUFFIXES = (".json", ".txt", ".html", ".htm")


def shipped_reports(folder: Path) -> list[Path]:
    """The reports shipped under ``folder`` (data/corpus): every .json/.txt/.html file, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SHIPPED_SUFFIXES)


def store_needs_build(db: str, reports: list[Path]) -> bool:
    """True when the store is missing, or a shipped report is newer than it (it is then brought up to date;
    reports already stored are skipped by content)."""
    path = Path(db)
    if not path.is_file():
        return True
    built = path.stat().st_mtime
    return any(report.stat().st_mtime > built for report in reports)


def ingest_report_files(db: str, reports: list[Path]) -> None:
    """Ingest shipped reports into the store, in this process (unreadable files are skipped by ingest)."""
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    ingest(reports, db=db, workers=1)


def store_is_stale(db: str) -> bool:
    """True when the store's statistics were extracted by another extractor version than this one (after a
    pull or an edit of a rule); False when it cannot be read (the page says why where it reads it)."""
    try:
        return is_stale(db)
    except StoreError:
        return False


def refresh_statistics(db: str) -> None:
    """Re-extract the stored documents with this extractor (``metrics refresh``); StoreProblem when the
    store cannot be written."""
    try:
        refresh_store(db)
    except StoreError as exc:
        raise StoreProblem("broken", str(exc)) from None


def rebuild_from_reports(db: str, folders: Sequence[Path]) -> Path | None:
    """Build a new store from the shipped reports; the damaged file is kept beside it as
    ``<name>.damaged-<time>`` (returned, None when there was none). StoreProblem when it cannot be written."""
    try:
        rebuilt = rebuild_store(db, [str(folder) for folder in folders if folder.exists()], workers=1)
    except StoreError as exc:
        raise StoreProblem("broken", str(exc)) from None
    return rebuilt.kept


def corrections_to_save(current: dict, proposed: dict) -> dict:
    """The fields of ``proposed`` (category, value, period) that differ from ``current``; None means "leave".

    >>> corrections_to_save({"category": "drugs", "value": 5.0, "period": 2024},
    ...                     {"category": "vice", "value": 5.0, "period": None})
    {'category': 'vice'}
    """
    changed = {}
    for field, new in proposed.items():
        old = current.get(field)
        if new is None:
            continue
        if field == "value":
            same = old is not None and not pd.isna(old) and abs(float(old) - float(new)) < 1e-9
        elif field == "period":
            same = old is not None and not pd.isna(old) and int(old) == int(new)
        else:
            same = str(old) == str(new)
        if not same:
            changed[field] = int(new) if field == "period" else new
    return changed
