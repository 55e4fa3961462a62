"""A Parquet dataset folder written by the Dask engine (metrics.store.dask_engine), read like a store.

Layout (``<dataset>/``, partitioned by region and year published)::

    documents/region=<region>/year=<year>/<run>-<batch>.parquet
    statistics/region=<region>/year=<year>/<run>-<batch>.parquet
    runs.jsonl          one line per finished run

A document extracted by several runs (it changed between them) counts once, from its latest run. A
dataset holds no corrections (they live in a store file) and is never written here.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd

from metrics.errors import UsageError
from metrics.record import COLUMNS, DOCUMENT_COLUMNS
from metrics.store.schema import STAT_KEY_SQL


def default_dataset(db: str | os.PathLike) -> Path:
    """Where the Parquet dataset goes unless told: a folder next to the store (metrics.duckdb → metrics-dataset)."""
    db = Path(db)
    return db.with_name(f"{db.stem}-dataset")


def _files(dataset: Path, kind: str) -> str:
    return str(dataset / kind / "*" / "*" / "*.parquet")


def dataset_version(dataset: Path) -> str:
    """A token that changes when a run finishes writing to the dataset (size and mtime of runs.jsonl)."""
    try:
        info = (dataset / "runs.jsonl").stat()
    except FileNotFoundError:
        return "missing"
    return f"dataset:{info.st_mtime_ns}-{info.st_size}"


def load_dataset_statistics(dataset: Path, where: str = "", params: list | None = None) -> pd.DataFrame:
    """Statistics of a dataset folder as ``load_statistics`` gives them (corrected is always false).

    A document extracted by several runs (it changed between them) counts once, from its latest run.
    ``where`` is a SQL filter on the output columns, with ``params``.
    """
    folder = dataset / "statistics"
    if not any(folder.glob("*/*/*.parquet")):
        raise UsageError(f"{dataset} holds no Parquet statistics (expected {folder}/region=*/year=*/*.parquet)")
    columns = ", ".join(f's."{c}"' for c in ("stat_id", *COLUMNS))
    files = [_files(dataset, kind) for kind in ("statistics", "documents")]
    sql = f"""
        WITH s AS (SELECT * FROM read_parquet(?, hive_partitioning = false, union_by_name = true)),
             d AS (SELECT path AS doc_path, run, content_hash FROM read_parquet(?, hive_partitioning = false)),
             latest AS (SELECT doc_path, max(run) AS run FROM d GROUP BY doc_path)
        SELECT * FROM (
            SELECT {columns}, false AS corrected, {STAT_KEY_SQL} AS stat_key
            FROM s JOIN latest USING (doc_path, run) LEFT JOIN d USING (doc_path, run)) {where}
        ORDER BY doc_id, start, stat_id"""
    with duckdb.connect() as con:
        return con.execute(sql, [*files, *(params or [])]).df()


def load_dataset_document(dataset: Path, doc_id: str) -> dict | None:
    """One document of a dataset (its latest run), with the keys of a stored document; None if absent."""
    if not any((dataset / "documents").glob("*/*/*.parquet")):
        return None
    sql = f"""
        SELECT {", ".join(DOCUMENT_COLUMNS)}, NULL AS ingested_at
        FROM read_parquet(?, hive_partitioning = false) WHERE doc_id = ? ORDER BY run DESC LIMIT 1"""
    with duckdb.connect() as con:
        row = con.execute(sql, [_files(dataset, "documents"), doc_id]).fetchall()
    return dict(zip((*DOCUMENT_COLUMNS, "ingested_at"), row[0])) if row else None


def load_dataset_addresses(dataset: Path) -> pd.DataFrame:
    """doc_id and where each document came from (its source address, else its path), as
    ``reading.document_addresses`` gives them."""
    if not any((dataset / "documents").glob("*/*/*.parquet")):
        return pd.DataFrame(columns=["doc_id", "source"])
    sql = """SELECT doc_id, string_agg(DISTINCT coalesce(source, path), ' ; ' ORDER BY coalesce(source, path))
             AS source FROM read_parquet(?, hive_partitioning = false) GROUP BY doc_id"""
    with duckdb.connect() as con:
        return con.execute(sql, [_files(dataset, "documents")]).df()
