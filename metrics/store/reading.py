"""Reading a store file back: its statistics with corrections applied (optionally filtered), its
documents, where they came from, and what it holds per region, year and category.

Every function opens the store read-only for one query (``open_store``) and closes it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from metrics.extraction.frame import with_column_types
from metrics.store.database import DEFAULT_DB, open_store
from metrics.store.schema import STORED_DOCUMENT_COLUMNS, corrected_sql, has_keyed_corrections, has_table, quote


@dataclass(frozen=True)
class StatisticsFilter:
    """Which statistics to read: only these categories, periods (years) and regions; None or empty: all."""

    categories: Iterable[str] | None = None
    years: Iterable[int] | None = None
    regions: Iterable[str] | None = None

    def where(self) -> tuple[str, list]:
        """A SQL WHERE clause (with its parameters) over the statistics' columns; "" when it keeps all."""
        clauses, params = [], []
        for column, wanted in (("category", self.categories), ("period", self.years), ("region", self.regions)):
            wanted = list(wanted or [])
            if wanted:
                clauses.append(f"{quote(column)} IN ({', '.join('?' for _ in wanted)})")
                params.extend(wanted)
        return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


ALL_STATISTICS = StatisticsFilter()


def load_statistics(db: str | os.PathLike = DEFAULT_DB, wanted: StatisticsFilter = ALL_STATISTICS) -> pd.DataFrame:
    """Statistics with corrections applied: stat_id, every column of COLUMNS, corrected; only those ``wanted``."""
    where, params = wanted.where()
    with open_store(db) as con:
        frame = con.execute(
            f"SELECT * FROM ({corrected_sql(has_keyed_corrections(con))}) {where} ORDER BY doc_id, start, stat_id",
            params,
        ).df()
    return with_column_types(frame)


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
            if has_table(con, "document_sources")
            else ""
        )
        return con.execute(f"""SELECT doc_id, string_agg(DISTINCT place, ' ; ' ORDER BY place) AS source
                               FROM ({places}) GROUP BY doc_id ORDER BY doc_id""").df()


def documents_per_region_year(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """How many documents the store holds per region and publication year."""
    with open_store(db) as con:
        linked = (
            "WHERE doc_id NOT IN (SELECT doc_id FROM document_fingerprints WHERE duplicate_of IS NOT NULL)"
            if has_table(con, "document_fingerprints")
            else ""
        )  # near-duplicates are not counted
        return con.execute(f"""
            SELECT coalesce(region, '(unknown)') AS region,
                   coalesce(substr(published, 1, 4), '(unknown)') AS year, count(*) AS documents
            FROM documents {linked} GROUP BY ALL ORDER BY region, year""").df()


def statistics_per_category(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """How many (corrected) statistics the store holds per category."""
    with open_store(db) as con:
        return con.execute(f"""
            SELECT category, count(*) AS statistics FROM ({corrected_sql(has_keyed_corrections(con))})
            GROUP BY ALL ORDER BY statistics DESC, category""").df()
