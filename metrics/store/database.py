"""The durable store: one DuckDB file of documents, their statistics and the user's corrections.

DuckDB lets one process write a file, and while it has the file open read-write no other process may open
it at all. So every opener goes through ``open_store``: writers hold the file only for one short batch
(open, write, close) and every opener retries with backoff on a lock error for a bounded time. A small
sidecar lock file (``<db>.lock``) acts as a turnstile so that a reader polling in a loop cannot starve a
waiting writer: a writer takes it exclusively for its batch; a reader takes it shared only while it opens.

Ingest streams: file paths go to a process pool in batches, each worker reads and extracts its batch, and
only this (parent) process writes, one transaction per batch (so each document is all or nothing). At most
``2 * workers`` batches are in flight at any time, so memory stays flat whatever the number of files; the
content hashes already stored travel to the workers as 8-byte prefixes (``KnownHashes``). The Dask engine
(``engine="dask"``, metrics.store.dask_engine) runs the same batches on a cluster and writes through the same code.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import multiprocessing
import os
import random
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from metrics.errors import InputError, UsageError
from metrics.extraction.frame import DTYPES
from metrics.sources.files import Document, document_from_bytes, iter_files, read_document
from metrics.record import COLUMNS

DEFAULT_DB = Path(__file__).resolve().parent.parent.parent / "data" / "metrics.duckdb"
CORRECTION_FIELDS = ("deleted", "category", "value", "period")
BATCH_SIZE = 32               # documents per worker task and per write connection
WRITE_WAIT_SECONDS = 120.0    # how long a writer waits for readers and other writers before giving up
READ_WAIT_SECONDS = 60.0      # how long a reader waits for a writer's batch
_SQL_TYPES = {"value": "DOUBLE", "start": "BIGINT", "end": "BIGINT", "period": "INTEGER"}
_DOCUMENT_COLUMNS = ("doc_id", "path", "source", "content_hash", "region", "published", "title", "text",
                     "encoding", "ingested_at")


class StoreMissingError(UsageError):
    """There is no store file yet: the user should run ``python -m metrics ingest`` first."""


class StoreBusyError(Exception):
    """Another process held the store for longer than the bounded wait."""


class EngineError(Exception):
    """A distributed engine could not finish a batch (e.g. the cluster killed too many workers): exit 1."""


@dataclass
class IngestSummary:
    files_read: int = 0       # documents read and stored (new or changed)
    skipped: int = 0          # documents already stored with the same content
    failed: int = 0           # inputs that could not be read or extracted
    statistics: int = 0       # statistic rows stored
    failures: list[InputError] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary printed at the end of an ingest."""
        return (f"{self.files_read} files read, {self.skipped} skipped (unchanged), {self.failed} failed, "
                f"{self.statistics} statistics stored")


# ------------------------------------------------------------------------------------ connections

def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_lock_error(exc: duckdb.Error) -> bool:
    message = str(exc).lower()
    return "lock" in message or "different configuration" in message


def _lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextmanager
def _turnstile(db: Path, *, exclusive: bool, deadline: float) -> Iterator[None]:
    """Hold the sidecar lock file (exclusive for writers, shared for readers) until the block ends."""
    try:
        fd = os.open(_lock_path(db), os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:           # read-only directory: DuckDB's own lock (with retries) still protects us
        yield
        return
    try:
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        _retry(lambda: fcntl.flock(fd, mode), BlockingIOError, deadline, str(db))
        yield
    finally:
        os.close(fd)


def _retry(attempt, retry_on, deadline: float, what: str, accept=lambda exc: True):
    """Call ``attempt`` until it does not raise ``retry_on`` (backoff with jitter), up to ``deadline``."""
    delay = 0.002
    while True:
        try:
            return attempt()
        except retry_on as exc:
            if not accept(exc):
                raise
            if time.monotonic() >= deadline:
                raise StoreBusyError(f"{what}: store busy (held by another process) for too long") from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.05)


@contextmanager
def open_store(db: str | os.PathLike = DEFAULT_DB, *, write: bool = False,
               wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the store, closed when the block ends; use it for one short piece of work.

    Readers get a read-only connection (StoreMissingError when there is no store yet); writers create the
    store and its schema if needed. Lock conflicts with other processes are retried with backoff for at
    most ``wait`` seconds, then StoreBusyError.
    """
    db = Path(db)
    if db.is_dir():
        raise UsageError(f"{db} is a directory, not a store file (a Parquet dataset is read by export and the "
                         "dashboard only)")
    if not write and not db.exists():
        raise StoreMissingError(f"no store at {db}: run `python -m metrics ingest data/corpus` first")
    if write:
        db.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + (wait if wait is not None else WRITE_WAIT_SECONDS if write else READ_WAIT_SECONDS)

    def connect() -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(db), read_only=not write)

    if write:
        with _turnstile(db, exclusive=True, deadline=deadline):
            con = _retry(connect, duckdb.Error, deadline, str(db), accept=_is_lock_error)
            try:
                ensure_schema(con)
                yield con
            finally:
                con.close()
        return
    with _turnstile(db, exclusive=False, deadline=deadline):
        con = _retry(connect, duckdb.Error, deadline, str(db), accept=_is_lock_error)
    try:
        yield con
    finally:
        con.close()


# ------------------------------------------------------------------------------------------ schema

def statistics_columns_sql() -> str:
    """Column definitions of the statistics table: stat_id then every column of COLUMNS."""
    columns = [f"{_quote(c)} {_SQL_TYPES.get(c, 'VARCHAR')}" for c in COLUMNS]
    return ", ".join(["stat_id VARCHAR PRIMARY KEY", *columns])


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables and the corrected view if missing; add columns COLUMNS gained since."""
    con.execute("""
        CREATE TABLE IF NOT EXISTS documents (
            doc_id VARCHAR PRIMARY KEY, path VARCHAR, source VARCHAR, content_hash VARCHAR, region VARCHAR,
            published VARCHAR, title VARCHAR, text VARCHAR, encoding VARCHAR, ingested_at TIMESTAMP)""")
    con.execute(f"CREATE TABLE IF NOT EXISTS statistics ({statistics_columns_sql()})")
    con.execute("CREATE SEQUENCE IF NOT EXISTS corrections_id")
    con.execute(f"""
        CREATE TABLE IF NOT EXISTS corrections (
            id BIGINT PRIMARY KEY DEFAULT nextval('corrections_id'), stat_id VARCHAR NOT NULL,
            field VARCHAR NOT NULL CHECK (field IN ({", ".join(f"'{f}'" for f in CORRECTION_FIELDS)})),
            value VARCHAR, created_at TIMESTAMP DEFAULT current_timestamp, undone BOOLEAN DEFAULT false)""")
    present = {row[0] for row in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'statistics'").fetchall()}
    missing = [c for c in COLUMNS if c not in present]
    for column in missing:
        con.execute(f"ALTER TABLE statistics ADD COLUMN {_quote(column)} {_SQL_TYPES.get(column, 'VARCHAR')}")
    has_view = con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'corrected_statistics'"
                           ).fetchall()[0][0]
    if missing or not has_view:
        con.execute(f"CREATE OR REPLACE VIEW corrected_statistics AS {corrected_sql()}")


def corrected_sql() -> str:
    """SELECT over statistics with the active (not undone) corrections applied, newest per field winning.

    Rows marked deleted are dropped; category, value and period are overridden; ``corrected`` says
    whether any active correction touches the row.
    """
    overridden = {
        "category": "coalesce(w.category, s.category)",
        "value": "CASE WHEN w.value IS NULL THEN s.value ELSE TRY_CAST(w.value AS DOUBLE) END",
        "period": "CASE WHEN w.period IS NULL THEN s.period WHEN w.period = '' THEN NULL "
                  "ELSE TRY_CAST(w.period AS INTEGER) END",
    }
    select = ", ".join(f"{overridden.get(c, 's.' + _quote(c))} AS {_quote(c)}" for c in COLUMNS)
    return f"""
        WITH latest AS (
            SELECT stat_id, field, arg_max(value, id) AS value
            FROM corrections WHERE NOT undone GROUP BY stat_id, field),
        wide AS (
            SELECT stat_id,
                   max(value) FILTER (WHERE field = 'deleted')  AS deleted,
                   max(value) FILTER (WHERE field = 'category') AS category,
                   max(value) FILTER (WHERE field = 'value')    AS value,
                   max(value) FILTER (WHERE field = 'period')   AS period
            FROM latest GROUP BY stat_id)
        SELECT s.stat_id, {select}, (w.stat_id IS NOT NULL) AS corrected
        FROM statistics s LEFT JOIN wide w USING (stat_id)
        WHERE coalesce(w.deleted, 'false') <> 'true'"""


# ----------------------------------------------------------------------------------------- reading

def store_version(db: str | os.PathLike = DEFAULT_DB) -> str:
    """A token that changes whenever the store's content changes (file and WAL size and mtime).

    It never opens the database, so a dashboard may call it on every rerun without contending for the
    file; "missing" when there is no store yet.
    """
    db = Path(db)
    if db.is_dir():
        from metrics.store.dask_engine import dataset_version

        return dataset_version(db)
    parts = []
    for path in (db, db.with_name(db.name + ".wal")):
        try:
            info = path.stat()
            parts.append(f"{info.st_mtime_ns}-{info.st_size}")
        except FileNotFoundError:
            parts.append("none")
    return "missing" if parts[0] == "none" else ":".join(parts)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Statistics with the dtypes of ``metrics.to_frame`` (value float, start/end int, period Int64)."""
    return frame.astype({c: t for c, t in DTYPES.items() if c in frame.columns})


def load_statistics(db: str | os.PathLike = DEFAULT_DB, *, categories: Iterable[str] | None = None,
                    years: Iterable[int] | None = None, regions: Iterable[str] | None = None) -> pd.DataFrame:
    """Statistics with corrections applied: stat_id, every column of COLUMNS, corrected; optionally filtered.

    ``db`` may also be the folder of a Parquet dataset written by the Dask engine (read directly, no
    corrections: those live in a store).
    """
    clauses, params = [], []
    for column, wanted in (("category", categories), ("period", years), ("region", regions)):
        wanted = list(wanted or [])
        if wanted:
            clauses.append(f"{_quote(column)} IN ({', '.join('?' for _ in wanted)})")
            params.extend(wanted)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    if Path(db).is_dir():
        from metrics.store.dask_engine import load_dataset_statistics

        return _typed(load_dataset_statistics(Path(db), where, params))
    with open_store(db) as con:
        frame = con.execute(f"SELECT * FROM ({corrected_sql()}) {where} ORDER BY doc_id, start, stat_id",
                            params).df()
    return _typed(frame)


def load_document(db: str | os.PathLike, doc_id: str) -> dict | None:
    """One stored document (doc_id, path, source, content_hash, region, published, title, text, ...)."""
    with open_store(db) as con:
        row = con.execute(f"SELECT {', '.join(_DOCUMENT_COLUMNS)} FROM documents WHERE doc_id = ?",
                          [doc_id]).fetchall()
    return dict(zip(_DOCUMENT_COLUMNS, row[0])) if row else None


def list_documents(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """One row per stored document with its statistics count (text left out)."""
    with open_store(db) as con:
        return con.execute("""
            SELECT d.doc_id, d.region, d.published, d.title, d.source, d.path, d.encoding,
                   count(s.stat_id) AS statistics
            FROM documents d LEFT JOIN statistics s USING (doc_id)
            GROUP BY ALL ORDER BY d.doc_id""").df()


def documents_per_region_year(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """How many documents the store holds per region and publication year."""
    with open_store(db) as con:
        return con.execute("""
            SELECT coalesce(region, '(unknown)') AS region,
                   coalesce(substr(published, 1, 4), '(unknown)') AS year, count(*) AS documents
            FROM documents GROUP BY ALL ORDER BY region, year""").df()


def statistics_per_category(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """How many (corrected) statistics the store holds per category."""
    with open_store(db) as con:
        return con.execute(f"""
            SELECT category, count(*) AS statistics FROM ({corrected_sql()})
            GROUP BY ALL ORDER BY statistics DESC, category""").df()


# ------------------------------------------------------------------------------------- corrections

def validate_correction(field_name: str, value: object) -> str:
    """The correction value as stored text; ValueError when the field or the value is not acceptable."""
    if field_name not in CORRECTION_FIELDS:
        raise ValueError(f"unknown correction field {field_name!r}: use one of {', '.join(CORRECTION_FIELDS)}")
    text = str(value).strip() if value is not None else ""
    if field_name == "deleted":
        if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"deleted must be true or false, not {value!r}")
        return "true" if text.lower() in ("true", "1", "yes") else "false"
    if field_name == "value":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"value must be a number, not {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"value must be finite, not {value!r}")
        return repr(number)
    if field_name == "period":
        if text in ("", "none", "None", "null"):
            return ""
        if not text.isdigit() or not 1900 <= int(text) <= 2100:
            raise ValueError(f"period must be a year (1900-2100) or empty, not {value!r}")
        return str(int(text))
    if not text or len(text) > 60:
        raise ValueError(f"category must be a short non-empty key, not {value!r}")
    return text


def add_correction(db: str | os.PathLike, stat_id: str, field: str, value: object) -> int:
    """Record a correction of one statistic; returns its id (for undo)."""
    stored = validate_correction(field, value)
    with open_store(db, write=True) as con:
        if con.execute("SELECT count(*) FROM statistics WHERE stat_id = ?", [stat_id]).fetchall()[0][0] == 0:
            raise ValueError(f"no statistic {stat_id!r} in the store")
        return con.execute("INSERT INTO corrections (stat_id, field, value) VALUES (?, ?, ?) RETURNING id",
                           [stat_id, field, stored]).fetchall()[0][0]


def undo_correction(db: str | os.PathLike, correction_id: int) -> None:
    """Mark one correction undone (it stays listed); ValueError for an unknown id."""
    with open_store(db, write=True) as con:
        found = con.execute("UPDATE corrections SET undone = true WHERE id = ? RETURNING id",
                            [int(correction_id)]).fetchall()
    if not found:
        raise ValueError(f"no correction {correction_id}")


def list_corrections(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """Every correction, oldest first: id, stat_id, field, value, created_at, undone."""
    with open_store(db) as con:
        return con.execute("SELECT id, stat_id, field, value, created_at, undone FROM corrections ORDER BY id").df()


# ------------------------------------------------------------------------------------------ ingest

@dataclass(frozen=True)
class _Extracted:
    """One document read and extracted by a worker, ready for the parent to write."""
    document: Document
    frame: pd.DataFrame


def extract_document(doc: Document, *, region: str | None, published: str | None) -> _Extracted:
    """Run the extractor on a document, part by part (a 50 MB report never holds all its records as
    objects at once); flags override the document's own region and date. The extractor's warnings
    (a pattern timeout, an implausible value) are passed on with the file named."""
    from metrics import to_frame
    from metrics.extraction.pipeline import extract_parts_warning_to

    path = doc.path if doc.path.startswith("upload:") else os.path.abspath(doc.path)
    effective = Document(doc_id=doc.doc_id, path=path, text=doc.text, content_hash=doc.content_hash,
                         title=doc.title, published=published or doc.published, region=region or doc.region,
                         source=doc.source, encoding=doc.encoding)
    try:
        frames = [to_frame(part) for part in extract_parts_warning_to(
            doc.path, doc.text, published=effective.published, region=effective.region, doc_id=doc.doc_id)]
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else (frames[0] if frames else to_frame([]))
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop the run
        raise InputError(doc.path, f"extraction failed: {type(exc).__name__}: {exc}") from None
    return _Extracted(effective, frame)


class KnownHashes:
    """The content hashes already stored, as a sorted array of their first 64 bits (8 bytes each).

    A store of a million documents costs 8 MB here instead of ~110 MB of strings, in every worker. Two
    different contents share a prefix with probability about n / 2**64 (never, in practice); the parent
    still checks full hashes before writing, so a prefix can only ever cause a skip, never a double.
    """

    def __init__(self, prefixes: np.ndarray | None = None) -> None:
        self.prefixes = np.unique(np.asarray(prefixes if prefixes is not None else [], dtype=np.uint64))

    @staticmethod
    def prefix(content_hash: str) -> int:
        """The first 64 bits of a hex sha256."""
        return int(content_hash[:16], 16)

    def __contains__(self, content_hash: str) -> bool:
        if not len(self.prefixes):
            return False
        wanted = np.uint64(self.prefix(content_hash))
        at = int(np.searchsorted(self.prefixes, wanted))
        return at < len(self.prefixes) and self.prefixes[at] == wanted

    def __len__(self) -> int:
        return len(self.prefixes)


_KNOWN_HASHES = KnownHashes()


def _init_worker(known_hashes: KnownHashes) -> None:
    global _KNOWN_HASHES
    _KNOWN_HASHES = known_hashes


def process_batch(paths: list[str], region: str | None, published: str | None,
                  known: KnownHashes | None = None) -> list:
    """Read and extract a batch of files (in a worker). Items: _Extracted, ("skip", path) or ("error", path, reason).

    ``known`` defaults to the hashes the pool worker was started with. InputError does not pickle (its
    constructor takes two arguments), so failures travel as tuples.
    """
    known = _KNOWN_HASHES if known is None else known
    results: list = []
    for path in paths:
        try:
            doc = read_document(Path(path))
            if doc.content_hash in known:
                results.append(("skip", path))
                continue
            results.append(extract_document(doc, region=region, published=published))
        except InputError as exc:
            results.append(("error", exc.path, exc.reason))
    return results


def stat_ids(doc_id: str, frame: pd.DataFrame) -> list[str]:
    """``doc_id:start:end`` per row, stable across re-ingest of the same text; repeats get ``#n``."""
    seen: dict[str, int] = {}
    ids = []
    for start, end in zip(frame["start"].tolist(), frame["end"].tolist()):
        base = f"{doc_id}:{start}:{end}"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return ids


def _stored_doc_id(con: duckdb.DuckDBPyConnection, doc: Document, taken: dict[str, str]) -> tuple[str, bool]:
    """The doc_id to store under (the document's own, unless another path already holds it), and whether
    the store already holds a version of this document under that id (which the new one replaces).

    ``taken`` maps the doc_ids given out earlier in the same transaction to their paths.
    """
    holder, stored = taken.get(doc.doc_id), False
    if holder is None:
        rows = con.execute("SELECT path FROM documents WHERE doc_id = ?", [doc.doc_id]).fetchall()
        holder, stored = (rows[0][0], True) if rows else (None, False)
    if holder is None or holder == doc.path:
        return doc.doc_id, stored
    doc_id = f"{doc.doc_id}~{hashlib.sha1(doc.path.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"
    if doc_id in taken:
        return doc_id, False
    return doc_id, bool(con.execute("SELECT count(*) FROM documents WHERE doc_id = ?", [doc_id]).fetchall()[0][0])


def write_documents(con: duckdb.DuckDBPyConnection, items: list[_Extracted]) -> list[int | None]:
    """Store a batch of documents and their statistics in ONE transaction, replacing older versions.

    So each document is all or nothing (and so is the batch): a kill leaves the store as before the
    batch. Returns per document the number of statistics stored, or None when the same content is
    already stored (here or earlier in the batch).
    """
    con.execute("BEGIN TRANSACTION")
    try:
        hashes = [item.document.content_hash for item in items]
        stored = {r[0] for r in con.execute(
            "SELECT content_hash FROM documents WHERE content_hash IN (SELECT unnest(?))", [hashes]).fetchall()}
        taken: dict[str, str] = {}
        documents, frames, counts, replaced = [], [], [], []
        for item in items:
            doc = item.document
            if doc.content_hash in stored:
                counts.append(None)
                continue
            stored.add(doc.content_hash)
            doc_id, replaces = _stored_doc_id(con, doc, taken)
            taken[doc_id] = doc.path
            if replaces:
                replaced.append(doc_id)
            frame = item.frame.copy()
            frame["doc_id"] = doc_id
            frame.insert(0, "stat_id", stat_ids(doc_id, frame))
            frames.append(frame)
            documents.append((doc_id, doc.path, doc.source, doc.content_hash, doc.region, doc.published,
                              doc.title, doc.text, doc.encoding))
            counts.append(len(frame))
        if documents:
            incoming = pd.DataFrame(documents, columns=list(_DOCUMENT_COLUMNS[:-1]), dtype=object)
            con.register("incoming_documents", incoming)
            if replaced:      # only changed files pay for a scan of the big tables; new ones never do
                con.execute("DELETE FROM statistics WHERE doc_id IN (SELECT unnest(?))", [replaced])
                con.execute("DELETE FROM documents WHERE doc_id IN (SELECT unnest(?))", [replaced])
            con.execute(f"INSERT INTO documents SELECT {', '.join(_DOCUMENT_COLUMNS[:-1])}, current_timestamp "
                        "FROM incoming_documents")
            con.unregister("incoming_documents")
            statistics = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(map(len, frames)) else None
            if statistics is not None:
                con.register("incoming_statistics", statistics)
                con.execute("INSERT INTO statistics BY NAME SELECT * FROM incoming_statistics")
                con.unregister("incoming_statistics")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def _write_results(db: Path, results: list, summary: IngestSummary) -> None:
    """Write one batch of worker results in one short connection and one transaction."""
    extracted = []
    for item in results:
        if isinstance(item, _Extracted):
            extracted.append(item)
        elif item[0] == "skip":
            summary.skipped += 1
        else:
            summary.failed += 1
            summary.failures.append(InputError(item[1], item[2]))
    if not extracted:
        return
    with open_store(db, write=True) as con:
        for stored in write_documents(con, extracted):
            if stored is None:
                summary.skipped += 1
            else:
                summary.files_read += 1
                summary.statistics += stored


def _batches(items: Iterable[Path], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := [str(p) for p in islice(iterator, size)]:
        yield batch


def _known_hashes(db: Path) -> KnownHashes:
    """The stored content hashes (as 64-bit prefixes, fetched as one array: no Python string per row)."""
    if not db.exists():
        return KnownHashes()
    with open_store(db) as con:
        try:
            column = con.execute("SELECT TRY_CAST('0x' || substr(content_hash, 1, 16) AS UBIGINT) AS h "
                                 "FROM documents WHERE h IS NOT NULL").fetchnumpy()["h"]
        except duckdb.CatalogException:
            return KnownHashes()
    return KnownHashes(np.asarray(column, dtype=np.uint64))


def _progress_bar(enabled: bool):
    """A tqdm bar on a terminal only; otherwise an object that ignores updates."""
    from tqdm import tqdm

    return tqdm(unit="file", desc="ingest", disable=not (enabled and sys.stderr.isatty()), file=sys.stderr)


def ingest(paths: Iterable[str | os.PathLike], *, db: str | os.PathLike = DEFAULT_DB, region: str | None = None,
           published: str | None = None, workers: int | None = None, progress: bool = False,
           engine: str = "local", scheduler: str | None = None,
           dataset: str | os.PathLike | None = None) -> IngestSummary:
    """Read, extract and store every report under ``paths``; see the module docstring for the design.

    ``engine="local"`` (default) uses a pool of ``workers`` processes on this machine (one: in this
    process); ``engine="dask"`` runs on the Dask cluster at ``scheduler`` (a local one of ``workers``
    processes when None) and writes a Parquet dataset to ``dataset`` on the way (metrics.store.dask_engine).
    UsageError (before anything is stored) when a path named does not exist or the engine is unknown.
    """
    if engine == "dask":
        from metrics.store.dask_engine import ingest_dask

        return ingest_dask(paths, db=db, region=region, published=published, workers=workers,
                           progress=progress, scheduler=scheduler, dataset=dataset)
    if engine != "local":
        raise UsageError(f"unknown engine {engine!r}: use local or dask")
    if scheduler is not None:
        raise UsageError("--scheduler needs --engine dask")
    db = Path(db)
    files = iter_files(list(paths))          # checks every path named now
    first = next(files, None)
    summary = IngestSummary()
    if first is None:
        return summary
    files = _chain(first, files)
    workers = max(1, workers or os.cpu_count() or 1)
    known = _known_hashes(db)
    with _progress_bar(progress) as bar:
        if workers == 1:
            _init_worker(known)
            for batch in _batches(files, BATCH_SIZE):
                _write_results(db, process_batch(batch, region, published), summary)
                bar.update(len(batch))
            return summary
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                 initargs=(known,)) as pool:
            try:
                submit = lambda batch: pool.submit(process_batch, batch, region, published)  # noqa: E731
                for batch, results in in_order(submit, _batches(files, BATCH_SIZE), window=2 * workers):
                    _write_results(db, results, summary)
                    bar.update(len(batch))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return summary


def in_order(submit: Callable, items: Iterable, *, window: int) -> Iterator[tuple]:
    """``(item, submit(item).result())`` in the order of ``items``, with at most ``window`` submitted and
    not yet consumed: the input is pulled lazily, so memory is bounded by the window, not the input.

    ``submit`` returns anything with a ``result()`` method (a concurrent.futures or a Dask future).
    """
    pending: deque = deque()
    for item in items:
        pending.append((item, submit(item)))
        if len(pending) >= window:
            item, future = pending.popleft()
            yield item, future.result()
    while pending:
        item, future = pending.popleft()
        yield item, future.result()


def _chain(first: Path, rest: Iterator[Path]) -> Iterator[Path]:
    yield first
    yield from rest


def ingest_bytes(name: str, data: bytes, *, db: str | os.PathLike = DEFAULT_DB, region: str | None = None,
                 published: str | None = None) -> IngestSummary:
    """Ingest one uploaded or pasted report (``name`` gives its format by extension), in this process."""
    summary = IngestSummary()
    try:
        doc = document_from_bytes(data, name=name, path=f"upload:{name}")
        item = extract_document(doc, region=region, published=published)
    except InputError as exc:
        summary.failed, summary.failures = 1, [exc]
        return summary
    _write_results(Path(db), [item], summary)
    return summary
