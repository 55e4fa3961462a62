"""The tables of the store file and the view that applies the user's corrections.

``ensure_schema`` creates what a store lacks (documents, statistics, corrections, the identity tables) and
migrates older stores: columns COLUMNS gained since, corrections keyed by content. ``corrected_sql`` is the
one SELECT that applies corrections on read (the ``corrected_statistics`` view and every reader).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import duckdb

import metrics.extraction
from metrics.record import COLUMNS, DOCUMENT_COLUMNS, DOCUMENT_SQL_TYPES, SQL_TYPES
from metrics.rules import PATTERN_DIR

CORRECTION_FIELDS = ("deleted", "category", "value", "period")
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
# The identity tables (ensure_identity_schema): each document's fingerprint, every place it came from.
FINGERPRINT_COLUMNS = ("doc_id", "identity", "wording_id", "signature", "figures", "duplicate_of")
SOURCE_COLUMNS = ("doc_id", "path", "source", "content_hash")


def quote(name: str) -> str:
    """A column name as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def statistics_columns_sql() -> str:
    """Column definitions of the statistics table: stat_id then every column of COLUMNS."""
    columns = [f"{quote(c)} {SQL_TYPES[c]}" for c in COLUMNS]
    return ", ".join(["stat_id VARCHAR PRIMARY KEY", *columns])


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables and the corrected view if missing; add columns COLUMNS gained since."""
    documents = [
        f"{quote(c)} {DOCUMENT_SQL_TYPES[c]}{' PRIMARY KEY' if c == 'doc_id' else ''}" for c in DOCUMENT_COLUMNS
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
        con.execute(f"ALTER TABLE statistics ADD COLUMN {quote(column)} {SQL_TYPES[column]}")
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
    con.execute("CREATE TABLE IF NOT EXISTS store_info (key VARCHAR PRIMARY KEY, value VARCHAR)")
    if not con.execute("SELECT count(*) FROM (SELECT 1 FROM documents LIMIT 1)").fetchall()[0][0]:
        mark_extractor(con)  # nothing extracted yet: what is stored from now on is the current extractor's


# ------------------------------------------------------------------------------- the extractor


@cache
def extractor_version() -> str:
    """A digest of what decides the statistics of a text: the extraction code, the record types and the
    pattern files. A store keeps the version that extracted it (``store_info``); when the code or a pattern
    changes, ``python -m metrics refresh`` (and ``make run``) re-extract the stored documents."""
    package = Path(metrics.extraction.__file__).parent
    files = [*sorted(package.glob("*.py")), package.parent / "record.py", package.parent / "rules.py"]
    digest = hashlib.sha256()
    for path in [*files, *sorted(PATTERN_DIR.glob("*.yaml"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def stored_extractor(con: duckdb.DuckDBPyConnection) -> str | None:
    """The extractor version that wrote the store's statistics; None for a store older than the record."""
    if not has_table(con, "store_info"):
        return None
    rows = con.execute("SELECT value FROM store_info WHERE key = 'extractor'").fetchall()
    return rows[0][0] if rows else None


def mark_extractor(con: duckdb.DuckDBPyConnection, version: str | None = None) -> None:
    """Record that every stored statistic is the current extractor's (or ``version``'s)."""
    con.execute("INSERT OR REPLACE INTO store_info VALUES ('extractor', ?)", [version or extractor_version()])


def ensure_identity_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The tables of document identity: every place a document came from, and each one's fingerprint."""
    con.execute("""CREATE TABLE IF NOT EXISTS document_sources (
        doc_id VARCHAR NOT NULL, path VARCHAR NOT NULL, source VARCHAR, content_hash VARCHAR,
        added_at TIMESTAMP DEFAULT current_timestamp, PRIMARY KEY (doc_id, path))""")
    con.execute("""CREATE TABLE IF NOT EXISTS document_fingerprints (
        doc_id VARCHAR PRIMARY KEY, identity VARCHAR NOT NULL, wording_id VARCHAR NOT NULL,
        signature BLOB NOT NULL, figures VARCHAR NOT NULL, duplicate_of VARCHAR)""")


def has_keyed_corrections(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the corrections table has its content key (stores written before it have not, until a
    writer opens them: readers then match corrections by stat_id, as those stores did)."""
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'corrections' AND column_name = 'stat_key'"
        ).fetchall()[0][0]
    )


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the store has this table (one written before it existed has not, until its next write)."""
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchall()[0][0])


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
    select = ", ".join(f"{overridden.get(c, 's.' + quote(c))} AS {quote(c)}" for c in COLUMNS)
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
