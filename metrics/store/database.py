"""Opening the store file (one DuckDB file of documents, their statistics and the user's corrections).

DuckDB lets one process write a file, and while it has the file open read-write no other process may open
it at all. So every opener goes through ``open_store``: writers hold the file only for one short batch
(open, write, close) and every opener retries with backoff on a lock error for a bounded time. A small
sidecar lock file (``<db>.lock``) acts as a turnstile so that a reader polling in a loop cannot starve a
waiting writer: a writer takes it exclusively for its batch; a reader takes it shared only while it opens.

Writers (metrics.store.pool, metrics.store.corrections) go through ``open_store`` and
metrics.store.writing; readers through metrics.store.reading. A writer's connection creates and migrates
the tables (metrics.store.schema). Whether a path is this kind of store or a Parquet dataset is decided
in one place, metrics.store.backends.
"""

from __future__ import annotations

import fcntl
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from metrics.errors import StoreBusyError, StoreMissingError, UsageError
from metrics.store.failures import is_lock_conflict, store_failure
from metrics.store.schema import ensure_schema

DEFAULT_DB = Path(__file__).resolve().parent.parent.parent / "data" / "metrics.duckdb"
WRITE_WAIT_SECONDS = 120.0  # how long a writer waits for readers and other writers before giving up
READ_WAIT_SECONDS = 60.0  # how long a reader waits for a writer's batch
# DuckDB's buffer pool of a writing connection. By default it may keep most of the memory as a cache of the
# blocks written, and an ingest's connection lives for the whole run: 10,000 reports, parent peak
# 362 → 256 MB at 32 MB, in the same time (bench/bench_ingest.py; 3 million keyed rows insert at 32 MB).
# Blocks beyond it are evicted (they are on disk) or spilled to a temporary folder beside the store.
WRITER_MEMORY_MB = 32
WRITER_MEMORY = f"{WRITER_MEMORY_MB}MB"
# A batch of long texts raises it for its transaction: DuckDB keeps each value in one block, and writing
# a 40 MB report (161,217 statistics) needs about twice its bytes (it failed at one, not at two).
BATCH_BYTES_FACTOR = 3


@contextmanager
def writer_memory(con: duckdb.DuckDBPyConnection, limit: str | None) -> Iterator[None]:
    """Within it, ``con``'s buffer pool is ``limit`` (None: DuckDB's default, most of the machine's
    memory); WRITER_MEMORY again after."""
    con.execute("RESET memory_limit" if limit is None else f"SET memory_limit = '{limit}'")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{WRITER_MEMORY}'")


def memory_for_batch(con: duckdb.DuckDBPyConnection, text_chars: int):
    """``writer_memory`` of WRITER_MEMORY plus ``BATCH_BYTES_FACTOR`` times the bytes of a batch whose
    documents' texts hold ``text_chars`` characters (3 bytes each in UTF-8 for Chinese)."""
    return writer_memory(con, f"{WRITER_MEMORY_MB + BATCH_BYTES_FACTOR * 3 * text_chars // 10**6}MB")


# ------------------------------------------------------------------------------------ connections


def _lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextmanager
def _turnstile(db: Path, *, exclusive: bool, deadline: float) -> Iterator[None]:
    """Hold the sidecar lock file (exclusive for writers, shared for readers) until the block ends."""
    try:
        fd = os.open(_lock_path(db), os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:  # read-only directory: DuckDB's own lock (with retries) still protects us
        fd = None
    if fd is None:  # (outside the except clause: an error of the block must not look caused by it)
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
                raise StoreBusyError(
                    f"{what}: store busy (held by another process) for too long: wait for the other "
                    "ingest or write to finish and try again",
                    path=what,
                ) from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.05)


@contextmanager
def open_store(
    db: str | os.PathLike = DEFAULT_DB, *, write: bool = False, wait: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the store, closed when the block ends; use it for one short piece of work.

    Readers get a read-only connection (StoreMissingError when there is no store yet); writers create the
    store and its schema if needed. Lock conflicts with other processes are retried with backoff for at
    most ``wait`` seconds, then StoreBusyError. Any other failure of the file or its disk (damaged,
    unreadable, a folder, a full disk), at opening or during the block, is raised at once as the
    StoreError that says what happened and what to do (metrics.store.failures).
    """
    db = Path(db)
    action = "write" if write else "read"
    if db.is_dir():
        raise UsageError(
            f"{db} is a folder, not a store file: give --db the path of a .duckdb file "
            "(a Parquet dataset folder is read by export and the dashboard only)"
        )
    if not write and not db.exists():
        raise StoreMissingError(f"no store at {db}: run `python -m metrics ingest data/corpus` first")
    try:
        with _opened(db, write=write, wait=wait) as con:
            yield con
    except (duckdb.Error, OSError) as exc:
        failure = store_failure(exc, db, action=action)
        if failure is None:
            raise
        raise failure from None


@contextmanager
def _opened(db: Path, *, write: bool, wait: float | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """open_store without the translation of failures: the turnstile, the bounded retries, the schema."""
    if write:
        db.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + (wait if wait is not None else WRITE_WAIT_SECONDS if write else READ_WAIT_SECONDS)

    def connect() -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(db), read_only=not write, config={"memory_limit": WRITER_MEMORY} if write else {})

    if write:
        with _turnstile(db, exclusive=True, deadline=deadline):
            con = _retry(connect, duckdb.Error, deadline, str(db), accept=is_lock_conflict)
            try:
                ensure_schema(con)
                yield con
            finally:
                con.close()
        return
    with _turnstile(db, exclusive=False, deadline=deadline):
        con = _retry(connect, duckdb.Error, deadline, str(db), accept=is_lock_conflict)
    try:
        yield con
    finally:
        con.close()


# -------------------------------------------------------------------------------------- versions


def store_version(db: str | os.PathLike = DEFAULT_DB) -> str:
    """A token that changes whenever the store's content changes (file and WAL size and mtime).

    It never opens the database, so a dashboard may call it on every rerun without contending for the
    file; "missing" when there is no store yet.
    """
    db = Path(db)
    parts = []
    for path in (db, db.with_name(db.name + ".wal")):
        try:
            info = path.stat()
            parts.append(f"{info.st_mtime_ns}-{info.st_size}")
        except FileNotFoundError:
            parts.append("none")
    return "missing" if parts[0] == "none" else ":".join(parts)
