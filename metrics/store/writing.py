"""Writing to a store file: a batch of documents and their statistics in one transaction.

What a document is (new, a near-duplicate of a stored one, or the same as one) is decided here, against
the near-duplicate index of the stored documents (``KnownDocuments``, metrics.store.identity). The ids a
statistic is stored under (``stat_ids``) are built in one place for the store and the Parquet dataset.
Writers (metrics.store.pool, metrics.store.dask_engine) hold the connection (metrics.store.database).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import numpy as np

from metrics.record import COLUMNS, DOCUMENT_COLUMNS, PANDAS_TYPES, Document
from metrics.store.database import memory_for_batch, writer_memory
from metrics.store.identity import Fingerprint, NearDuplicateIndex
from metrics.store.schema import FINGERPRINT_COLUMNS, SOURCE_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

# ------------------------------------------------------------------------------------------- ids


def span_ids(doc_id: str, spans: Iterable[tuple[object, object]]) -> list[str]:
    """``doc_id:start:end`` per ``(start, end)``, stable across re-ingest of the same text; repeats get ``#n``."""
    seen: dict[str, int] = {}
    ids = []
    for start, end in spans:
        base = f"{doc_id}:{start}:{end}"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return ids


def stat_ids(doc_id: str, frame: pd.DataFrame) -> list[str]:
    """The stat_id of each row of a statistics frame (``span_ids`` of its start and end)."""
    return span_ids(doc_id, zip(frame["start"].tolist(), frame["end"].tolist()))


_DOC_ID, _START, _END = COLUMNS.index("doc_id"), COLUMNS.index("start"), COLUMNS.index("end")


def statistics_with_ids(doc_id: str, rows: list[tuple]) -> list[tuple]:
    """(stat_id, *row) per statistic row, its doc_id set to the stored one; stat_id as ``stat_ids`` gives it."""
    ids = span_ids(doc_id, ((row[_START], row[_END]) for row in rows))
    return [(stat_id, *row[:_DOC_ID], doc_id, *row[_DOC_ID + 1 :]) for stat_id, row in zip(ids, rows)]


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


BACKFILL_BATCH = 256  # documents fingerprinted per query when a store from before fingerprints is opened
FINGERPRINT_BATCH = 10_000  # fingerprint rows read at a time when the index is rebuilt


def known_documents(con: duckdb.DuckDBPyConnection) -> KnownDocuments:
    """The near-duplicate index of a store, rebuilt from its persisted fingerprints; documents stored before
    fingerprints were kept are fingerprinted from their text now (and the rows written, once)."""
    duplicate_of: dict[str, str] = {}

    def fingerprint_rows() -> Iterator[tuple]:  # streamed: a store's rows are never all in memory at once
        result = con.execute(
            "SELECT doc_id, identity, wording_id, signature, figures, duplicate_of FROM document_fingerprints"
        )
        while rows := result.fetchmany(FINGERPRINT_BATCH):
            for row in rows:
                if row[5]:
                    duplicate_of[row[0]] = row[5]
                yield row[:5]

    index = NearDuplicateIndex.from_rows(fingerprint_rows())
    missing = con.execute(
        "SELECT doc_id FROM documents WHERE doc_id NOT IN "
        "(SELECT doc_id FROM document_fingerprints) ORDER BY ingested_at, doc_id"
    ).fetchall()
    # a few hundred texts at a time, with DuckDB's own memory limit: a result of long texts needs far more
    # than a writer's pool (64 texts of 75 KB asked for a block of 128 MiB) and this runs once per store
    for first in range(0, len(missing), BACKFILL_BATCH):
        doc_ids = [row[0] for row in missing[first : first + BACKFILL_BATCH]]
        with writer_memory(con, None):
            query = "SELECT doc_id, text FROM documents WHERE doc_id IN (SELECT unnest(?))"
            texts = dict(con.execute(query, [doc_ids]).fetchall())
        backfill = []
        for doc_id in doc_ids:
            fingerprint = Fingerprint.of(texts[doc_id] or "")
            index.add_fingerprint(doc_id, fingerprint)
            backfill.append((doc_id, *fingerprint.to_row(), None))
        _insert_rows(con, "document_fingerprints", FINGERPRINT_COLUMNS, backfill)
    return KnownDocuments(index, duplicate_of)


def column_arrays(columns: tuple[str, ...], rows: list[tuple], dtypes: dict[str, str] | None = None) -> dict:
    """Rows (tuples in the order of ``columns``) as one numpy array per column, which DuckDB scans as a
    table: no pandas in a writer (it and pyarrow are 130 MB of a writer's memory). A column is of its
    numpy dtype in ``dtypes`` (float64, int64), else of Python objects (None is NULL, DuckDB infers the rest)."""
    dtypes = dtypes or {}
    arrays = {}
    for name, values in zip(columns, zip(*rows)):
        dtype = dtypes.get(name)
        if dtype in ("float64", "int64"):
            arrays[name] = np.array(values, dtype=dtype)
        else:
            arrays[name] = np.fromiter(values, dtype=object, count=len(values))
    return arrays


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
    con.register("incoming_rows", column_arrays(columns, rows))
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
    with memory_for_batch(con, sum(len(item.document.text) for item in items)):
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
        statistics.extend(statistics_with_ids(doc_id, item.rows))
        outcomes.append(Written("new", statistics=len(item.rows), doc_id=doc_id))
    if replaced:  # only changed files pay for a scan of the big tables; new ones never do
        for table in ("statistics", "documents", "document_fingerprints"):
            con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest(?))", [replaced])
    _insert_rows(con, "documents", DOCUMENT_COLUMNS, documents, stamped="ingested_at")
    _insert_rows(con, "document_fingerprints", FINGERPRINT_COLUMNS, fingerprints)
    _insert_rows(con, "document_sources", SOURCE_COLUMNS, sources, or_ignore=True)
    insert_statistics(con, statistics)
    return outcomes


def insert_statistics(con: duckdb.DuckDBPyConnection, statistics: list[tuple]) -> None:
    """Insert statistics rows, each ``(stat_id, *record_rows row)`` (``statistics_with_ids``)."""
    if statistics:
        con.register("incoming_statistics", column_arrays(("stat_id", *COLUMNS), statistics, PANDAS_TYPES))
        try:
            con.execute("INSERT INTO statistics BY NAME SELECT * FROM incoming_statistics")
        finally:
            con.unregister("incoming_statistics")
