"""The store file: one DuckDB file of documents, their statistics and the user's corrections.

DuckDB lets one process write a file, and while it has the file open read-write no other process may open
it at all. So every opener goes through ``open_store``: writers hold the file only for one short batch
(open, write, close) and every opener retries with backoff on a lock error for a bounded time. A small
sidecar lock file (``<db>.lock``) acts as a turnstile so that a reader polling in a loop cannot starve a
waiting writer: a writer takes it exclusively for its batch; a reader takes it shared only while it opens.

Writers (metrics.store.pool, metrics.store.corrections) go through ``open_store`` and
``write_documents``; readers through the functions under "reading". Whether a path is this kind of store
or a Parquet dataset is decided in one place, metrics.store.backends.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from metrics.errors import StoreBusyError, StoreMissingError, UsageError
from metrics.extraction.frame import rows_to_frame, with_column_types
from metrics.record import COLUMNS, DOCUMENT_COLUMNS, DOCUMENT_SQL_TYPES, SQL_TYPES, Document
from metrics.store.failures import is_lock_conflict, store_failure
from metrics.store.identity import Fingerprint, NearDuplicateIndex

DEFAULT_DB = Path(__file__).resolve().parent.parent.parent / "data" / "metrics.duckdb"
CORRECTION_FIELDS = ("deleted", "category", "value", "period")
WRITE_WAIT_SECONDS = 120.0  # how long a writer waits for readers and other writers before giving up
READ_WAIT_SECONDS = 60.0  # how long a reader waits for a writer's batch
# A statistic's stable identity: its document's content hash, its span (with the #n of a repeated span)
# and the value first extracted: "<sha256>:<start>:<end>=<value>". Unlike stat_id (doc_id:start:end),
# it cannot name another statistic after a document is replaced under the same doc_id.
STAT_KEY_SQL = (
    "coalesce(d.content_hash, '?') || substr(s.stat_id, length(s.doc_id) + 1) || '=' || "
    "coalesce(CAST(s.value AS VARCHAR), '')"
)
# Added to the corrections log: the statistic's key, the value before the correction, who made it.
CORRECTION_LOG_COLUMNS = ("stat_key", "old_value", "author")
# The documents table: the columns of a Document, then when it was ingested.
STORED_DOCUMENT_COLUMNS = (*DOCUMENT_COLUMNS, "ingested_at")


# ------------------------------------------------------------------------------------ connections


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
        return duckdb.connect(str(db), read_only=not write)

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


# ------------------------------------------------------------------------------------------ schema


def statistics_columns_sql() -> str:
    """Column definitions of the statistics table: stat_id then every column of COLUMNS."""
    columns = [f"{_quote(c)} {SQL_TYPES[c]}" for c in COLUMNS]
    return ", ".join(["stat_id VARCHAR PRIMARY KEY", *columns])


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables and the corrected view if missing; add columns COLUMNS gained since."""
    documents = [
        f"{_quote(c)} {DOCUMENT_SQL_TYPES[c]}{' PRIMARY KEY' if c == 'doc_id' else ''}" for c in DOCUMENT_COLUMNS
    ]
    con.execute(f"CREATE TABLE IF NOT EXISTS documents ({', '.join(documents)}, ingested_at TIMESTAMP)")
    con.execute(f"CREATE TABLE IF NOT EXISTS statistics ({statistics_columns_sql()})")
    ensure_identity_schema(con)
    con.execute("CREATE SEQUENCE IF NOT EXISTS corrections_id")
    con.execute(f"""
        CREATE TABLE IF NOT EXISTS corrections (
            id BIGINT PRIMARY KEY DEFAULT nextval('corrections_id'), stat_id VARCHAR NOT NULL,
            field VARCHAR NOT NULL CHECK (field IN ({", ".join(f"'{f}'" for f in CORRECTION_FIELDS)})),
            value VARCHAR, created_at TIMESTAMP DEFAULT current_timestamp, undone BOOLEAN DEFAULT false)""")
    present = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'statistics'"
        ).fetchall()
    }
    missing = [c for c in COLUMNS if c not in present]
    for column in missing:
        con.execute(f"ALTER TABLE statistics ADD COLUMN {_quote(column)} {SQL_TYPES[column]}")
    keyed_before = has_keyed_corrections(con)
    for column in CORRECTION_LOG_COLUMNS:
        con.execute(f"ALTER TABLE corrections ADD COLUMN IF NOT EXISTS {column} VARCHAR")
    if not keyed_before:  # corrections made before they were keyed by content: key them now
        con.execute(f"""
            UPDATE corrections c SET stat_key = k.stat_key
            FROM (SELECT s.stat_id, {STAT_KEY_SQL} AS stat_key
                  FROM statistics s JOIN documents d USING (doc_id)) k
            WHERE c.stat_id = k.stat_id AND c.stat_key IS NULL""")
    views = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'corrected_statistics'").fetchall()
    if missing or not views or "stat_key" not in views[0][0]:
        con.execute(f"CREATE OR REPLACE VIEW corrected_statistics AS {corrected_sql()}")


def has_keyed_corrections(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the corrections table has its content key (stores written before it have not, until a
    writer opens them: readers then match corrections by stat_id, as those stores did)."""
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'corrections' AND column_name = 'stat_key'"
        ).fetchall()[0][0]
    )


def corrected_sql(keyed: bool = True) -> str:
    """SELECT over statistics with the active (not undone) corrections applied, newest per field winning.

    Rows marked deleted are dropped; category, value and period are overridden; ``corrected`` says
    whether any active correction touches the row; ``stat_key`` is the statistic's stable identity
    (STAT_KEY_SQL). Corrections match a statistic by that key, so a correction never lands on another
    statistic when its document is replaced (``keyed=False``: by stat_id, for stores not yet migrated).
    """
    overridden = {
        "category": "coalesce(w.category, s.category)",
        "value": "CASE WHEN w.value IS NULL THEN s.value ELSE TRY_CAST(w.value AS DOUBLE) END",
        "period": "CASE WHEN w.period IS NULL THEN s.period WHEN w.period = '' THEN NULL "
        "ELSE TRY_CAST(w.period AS INTEGER) END",
    }
    select = ", ".join(f"{overridden.get(c, 's.' + _quote(c))} AS {_quote(c)}" for c in COLUMNS)
    key = "stat_key" if keyed else "stat_id"
    return f"""
        WITH keyed AS (
            SELECT s.*, {STAT_KEY_SQL} AS stat_key FROM statistics s LEFT JOIN documents d USING (doc_id)),
        latest AS (
            SELECT {key} AS match_key, field, arg_max(value, id) AS value
            FROM corrections WHERE NOT undone GROUP BY ALL),
        wide AS (
            SELECT match_key,
                   max(value) FILTER (WHERE field = 'deleted')  AS deleted,
                   max(value) FILTER (WHERE field = 'category') AS category,
                   max(value) FILTER (WHERE field = 'value')    AS value,
                   max(value) FILTER (WHERE field = 'period')   AS period
            FROM latest GROUP BY match_key)
        SELECT s.stat_id, {select}, (w.match_key IS NOT NULL) AS corrected, s.stat_key
        FROM keyed s LEFT JOIN wide w ON w.match_key = s.{key}
        WHERE coalesce(w.deleted, 'false') <> 'true'"""


# ----------------------------------------------------------------------------------------- reading


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


def load_statistics(
    db: str | os.PathLike = DEFAULT_DB,
    *,
    categories: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    regions: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Statistics with corrections applied: stat_id, every column of COLUMNS, corrected; optionally filtered."""
    where, params = statistics_filter(categories=categories, years=years, regions=regions)
    with open_store(db) as con:
        frame = con.execute(
            f"SELECT * FROM ({corrected_sql(has_keyed_corrections(con))}) {where} ORDER BY doc_id, start, stat_id",
            params,
        ).df()
    return with_column_types(frame)


def statistics_filter(
    *, categories: Iterable[str] | None = None, years: Iterable[int] | None = None, regions: Iterable[str] | None = None
) -> tuple[str, list]:
    """A SQL WHERE clause (with its parameters) keeping only these categories, periods and regions."""
    clauses, params = [], []
    for column, wanted in (("category", categories), ("period", years), ("region", regions)):
        wanted = list(wanted or [])
        if wanted:
            clauses.append(f"{_quote(column)} IN ({', '.join('?' for _ in wanted)})")
            params.extend(wanted)
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def load_document(db: str | os.PathLike, doc_id: str) -> dict | None:
    """One stored document (doc_id, path, source, content_hash, region, published, title, text, ...)."""
    with open_store(db) as con:
        row = con.execute(
            f"SELECT {', '.join(STORED_DOCUMENT_COLUMNS)} FROM documents WHERE doc_id = ?", [doc_id]
        ).fetchall()
    return dict(zip(STORED_DOCUMENT_COLUMNS, row[0])) if row else None


def list_documents(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """One row per stored document with its statistics count (text left out)."""
    with open_store(db) as con:
        return con.execute("""
            SELECT d.doc_id, d.region, d.published, d.title, d.source, d.path, d.encoding,
                   count(s.stat_id) AS statistics
            FROM documents d LEFT JOIN statistics s USING (doc_id)
            GROUP BY ALL ORDER BY d.doc_id""").df()


def document_addresses(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """doc_id and every place the document came from (source addresses, else paths; joined by `` ; ``)."""
    with open_store(db) as con:
        places = "SELECT doc_id, coalesce(source, path) AS place FROM documents" + (
            " UNION SELECT doc_id, coalesce(source, path) FROM document_sources"
            if _has_table(con, "document_sources")
            else ""
        )
        return con.execute(f"""SELECT doc_id, string_agg(DISTINCT place, ' ; ' ORDER BY place) AS source
                               FROM ({places}) GROUP BY doc_id ORDER BY doc_id""").df()


def documents_per_region_year(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """How many documents the store holds per region and publication year."""
    with open_store(db) as con:
        linked = (
            "WHERE doc_id NOT IN (SELECT doc_id FROM document_fingerprints WHERE duplicate_of IS NOT NULL)"
            if _has_table(con, "document_fingerprints")
            else ""
        )  # near-duplicates are not counted
        return con.execute(f"""
            SELECT coalesce(region, '(unknown)') AS region,
                   coalesce(substr(published, 1, 4), '(unknown)') AS year, count(*) AS documents
            FROM documents {linked} GROUP BY ALL ORDER BY region, year""").df()


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the store has this table (one written before it existed has not, until its next write)."""
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchall()[0][0])


def statistics_per_category(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """How many (corrected) statistics the store holds per category."""
    with open_store(db) as con:
        return con.execute(f"""
            SELECT category, count(*) AS statistics FROM ({corrected_sql(has_keyed_corrections(con))})
            GROUP BY ALL ORDER BY statistics DESC, category""").df()


def stat_ids(doc_id: str, frame: pd.DataFrame) -> list[str]:
    """``doc_id:start:end`` per row, stable across re-ingest of the same text; repeats get ``#n``."""
    seen: dict[str, int] = {}
    ids = []
    for start, end in zip(frame["start"].tolist(), frame["end"].tolist()):
        base = f"{doc_id}:{start}:{end}"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return ids


def alternative_doc_id(doc: Document) -> str:
    """The doc_id a document gets when another path already holds its own: ``<doc_id>~<8 hex of its path>``."""
    return f"{doc.doc_id}~{hashlib.sha1(doc.path.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"


# --------------------------------------------------------------------------- identities (issue 11)


@dataclass
class KnownDocuments:
    """What the writer knows of the stored documents, to tell a new one from one it holds: the near-duplicate
    index (persisted in ``document_fingerprints``, rebuilt from it when a run opens the store) and which
    stored document each near-duplicate is linked to."""

    index: NearDuplicateIndex
    duplicate_of: dict[str, str]

    def root(self, doc_id: str) -> str:
        """The first copy a document is linked to (itself when it is one)."""
        return self.duplicate_of.get(doc_id) or doc_id


def ensure_identity_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The tables of document identity: every place a document came from, and each one's fingerprint."""
    con.execute("""CREATE TABLE IF NOT EXISTS document_sources (
        doc_id VARCHAR NOT NULL, path VARCHAR NOT NULL, source VARCHAR, content_hash VARCHAR,
        added_at TIMESTAMP DEFAULT current_timestamp, PRIMARY KEY (doc_id, path))""")
    con.execute("""CREATE TABLE IF NOT EXISTS document_fingerprints (
        doc_id VARCHAR PRIMARY KEY, identity VARCHAR NOT NULL, wording_id VARCHAR NOT NULL,
        signature BLOB NOT NULL, figures VARCHAR NOT NULL, duplicate_of VARCHAR)""")


def known_documents(con: duckdb.DuckDBPyConnection) -> KnownDocuments:
    """The near-duplicate index of a store, rebuilt from its persisted fingerprints; documents stored before
    fingerprints were kept are fingerprinted from their text now (and the rows written, once)."""
    rows = con.execute(
        "SELECT doc_id, identity, wording_id, signature, figures, duplicate_of FROM document_fingerprints"
    ).fetchall()
    index = NearDuplicateIndex.from_rows(row[:5] for row in rows)
    duplicate_of = {row[0]: row[5] for row in rows if row[5]}
    missing = con.execute(
        "SELECT doc_id, text FROM documents WHERE doc_id NOT IN "
        "(SELECT doc_id FROM document_fingerprints) ORDER BY ingested_at, doc_id"
    ).fetchall()
    if missing:
        backfill = []
        for doc_id, text in missing:
            fingerprint = Fingerprint.of(text or "")
            index.add_fingerprint(doc_id, fingerprint)
            backfill.append((doc_id, *fingerprint.to_row(), None))
        _insert_rows(con, "document_fingerprints", FINGERPRINT_COLUMNS, backfill)
    return KnownDocuments(index, duplicate_of)


FINGERPRINT_COLUMNS = ("doc_id", "identity", "wording_id", "signature", "figures", "duplicate_of")
SOURCE_COLUMNS = ("doc_id", "path", "source", "content_hash")


def _insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: tuple[str, ...],
    rows: list[tuple],
    *,
    or_ignore: bool = False,
    stamped: str | None = None,
) -> None:
    """Insert rows (tuples in the order of ``columns``) in one statement; ``stamped``: a column set to now."""
    if not rows:
        return
    frame = pd.DataFrame(rows, columns=list(columns), dtype=object)
    con.register("incoming_rows", frame)
    try:
        names = ", ".join(columns)
        stamp = (f", {stamped}", ", current_timestamp") if stamped else ("", "")
        con.execute(
            f"INSERT {'OR IGNORE ' if or_ignore else ''}INTO {table} ({names}{stamp[0]}) "
            f"SELECT {names}{stamp[1]} FROM incoming_rows"
        )
    finally:
        con.unregister("incoming_rows")


# ----------------------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Written:
    """What became of one document of a batch: ``new`` (stored, ``statistics`` rows), ``near`` (stored,
    linked to ``doc_id`` of its first copy, statistics not counted) or ``same`` (already stored as
    ``doc_id``: only the new source address kept)."""

    status: str
    statistics: int = 0
    doc_id: str | None = None


def write_documents(con: duckdb.DuckDBPyConnection, items: list, known: KnownDocuments | None = None) -> list[Written]:
    """Store a batch of documents and their statistics in ONE transaction, replacing older versions.

    ``items`` have a ``document`` (a Document), its statistics ``rows`` (tuples in the order of COLUMNS)
    and its ``fingerprint`` (``Fingerprint.to_row()``, or None to compute it here); see
    metrics.store.pool.Extracted. ``known`` is the run's KnownDocuments (read from the store when None);
    it is updated with what the batch stores.

    A document whose file content (content hash) or normalised text (identity) is stored already is not
    stored again: its path is added to ``document_sources``. A near-duplicate of a stored document is
    stored, linked to its first copy (``duplicate_of``), without statistics. A file stored before under
    the same doc_id and path with other content replaces that version. The existing documents are looked
    up with one query for the whole batch. A kill leaves the store as before the batch.
    """
    known = known_documents(con) if known is None else known
    con.execute("BEGIN TRANSACTION")
    try:
        outcomes = _write_batch(con, items, known)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return outcomes


def _write_batch(con: duckdb.DuckDBPyConnection, items: list, known: KnownDocuments) -> list[Written]:
    docs = [item.document for item in items]
    wanted_ids = [d.doc_id for d in docs] + [alternative_doc_id(d) for d in docs]
    existing = con.execute(
        "SELECT doc_id, path, content_hash FROM documents "
        "WHERE content_hash IN (SELECT unnest(?)) OR doc_id IN (SELECT unnest(?))",
        [[d.content_hash for d in docs], wanted_ids],
    ).fetchall()
    by_hash = {content_hash: doc_id for doc_id, _, content_hash in existing}
    holder = {doc_id: path for doc_id, path, _ in existing}
    stored_ids = set(holder)
    outcomes: list[Written] = []
    documents, fingerprints, sources, statistics, replaced = [], [], [], [], []
    for item in items:
        doc = item.document
        if doc.content_hash in by_hash:
            sources.append((by_hash[doc.content_hash], doc.path, doc.source, doc.content_hash))
            outcomes.append(Written("same", doc_id=by_hash[doc.content_hash]))
            continue
        doc_id = doc.doc_id if holder.get(doc.doc_id, doc.path) == doc.path else alternative_doc_id(doc)
        if doc_id in stored_ids and holder.get(doc_id) == doc.path:  # a changed file: replace its version
            replaced.append(doc_id)
            stored_ids.discard(doc_id)
            if doc_id in known.index:
                known.index.remove(doc_id)
            known.duplicate_of.pop(doc_id, None)
        row = item.fingerprint
        fingerprint = Fingerprint.from_row(*row) if row is not None else Fingerprint.of(doc.text)
        verdict, other = known.index.classify(fingerprint)
        if verdict == "same":
            by_hash[doc.content_hash] = other
            sources.append((other, doc.path, doc.source, doc.content_hash))
            outcomes.append(Written("same", doc_id=other))
            continue
        first = known.root(other) if verdict == "near" else None
        known.index.add_fingerprint(doc_id, fingerprint)
        if first:
            known.duplicate_of[doc_id] = first
        by_hash[doc.content_hash], holder[doc_id] = doc_id, doc.path
        documents.append((doc_id, *(getattr(doc, c) for c in DOCUMENT_COLUMNS[1:])))
        fingerprints.append((doc_id, *fingerprint.to_row(), first))
        sources.append((doc_id, doc.path, doc.source, doc.content_hash))
        if first:
            outcomes.append(Written("near", doc_id=first))
            continue
        statistics.extend(_with_ids(doc_id, item.rows))
        outcomes.append(Written("new", statistics=len(item.rows), doc_id=doc_id))
    if replaced:  # only changed files pay for a scan of the big tables; new ones never do
        for table in ("statistics", "documents", "document_fingerprints"):
            con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest(?))", [replaced])
    _insert_rows(con, "documents", DOCUMENT_COLUMNS, documents, stamped="ingested_at")
    _insert_rows(con, "document_fingerprints", FINGERPRINT_COLUMNS, fingerprints)
    _insert_rows(con, "document_sources", SOURCE_COLUMNS, sources, or_ignore=True)
    if statistics:
        frame = rows_to_frame([row[1:] for row in statistics])
        frame.insert(0, "stat_id", [row[0] for row in statistics])
        con.register("incoming_statistics", frame)
        con.execute("INSERT INTO statistics BY NAME SELECT * FROM incoming_statistics")
        con.unregister("incoming_statistics")
    return outcomes


_DOC_ID, _START, _END = COLUMNS.index("doc_id"), COLUMNS.index("start"), COLUMNS.index("end")


def _with_ids(doc_id: str, rows: list[tuple]) -> list[tuple]:
    """(stat_id, *row) per statistic row, its doc_id set to the stored one; stat_id as ``stat_ids`` gives it."""
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        base = f"{doc_id}:{row[_START]}:{row[_END]}"
        seen[base] = seen.get(base, 0) + 1
        row = (*row[:_DOC_ID], doc_id, *row[_DOC_ID + 1 :])
        out.append((base if seen[base] == 1 else f"{base}#{seen[base]}", *row))
    return out
