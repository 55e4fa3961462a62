"""The store: reports and their statistics kept on disk, behind one interface.

- ``backends``: ``store_at(path)``, the one place that tells a DuckDB store file from a Parquet dataset
  folder, and the methods both answer (statistics, document, corrections...).
- ``database``: opening the DuckDB file (locking, bounded retries); ``schema``: its tables and the view
  that applies corrections; ``reading``: statistics and documents read back; ``writing``: a batch of
  documents and statistics in one transaction; ``corrections``: the user's.
- ``pool``: ingest (read, extract and store) on a local process pool; ``dask_engine``: the same on a Dask
  cluster, which also writes the Parquet dataset (``dataset`` reads it back).
- ``exports``: tables to CSV, Excel, JSONL and Parquet (the one writer of each format).

The functions below are the short names the command line, the tests and scripts use. Ingest needs no
pandas (its writers hand DuckDB numpy arrays), so the modules that read frames back are imported by the
functions that need them: an ingest does not carry pandas and pyarrow (130 MB, 0.3 s).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict
from functools import lru_cache
from typing import TYPE_CHECKING

from metrics.errors import UsageError
from metrics.store.corrections import NOT_GIVEN
from metrics.store.database import DEFAULT_DB
from metrics.store.pool import (
    BATCH_SIZE,
    IngestOptions,
    IngestSummary,
    KnownHashes,
    in_order,
    ingest_bytes,
    ingest_local,
)
from metrics.store.uploads import content_name, ingest_upload_bytes

if TYPE_CHECKING:
    import pandas as pd

    from metrics.store.backends import Backend

__all__ = [
    "BATCH_SIZE",
    "DEFAULT_DB",
    "IngestSummary",
    "KnownHashes",
    "add_correction",
    "content_name",
    "documents_per_region_year",
    "in_order",
    "ingest",
    "ingest_bytes",
    "ingest_upload_bytes",
    "list_corrections",
    "load_disagreements",
    "load_series_points",
    "list_documents",
    "load_document",
    "load_statistics",
    "statistics_per_category",
    "store_at",
    "store_version",
    "undo_correction",
]


def ingest(
    paths: Iterable[str | os.PathLike],
    *,
    db: str | os.PathLike = DEFAULT_DB,
    region: str | None = None,
    published: str | None = None,
    workers: int | None = None,
    progress: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    dataset: str | os.PathLike | None = None,
) -> IngestSummary:
    """Read, extract and store every report under ``paths``.

    ``engine="local"`` (default) uses a pool of ``workers`` processes on this machine (one: in this
    process); ``engine="dask"`` runs on the Dask cluster at ``scheduler`` (a local one of ``workers``
    processes when None) and writes a Parquet dataset to ``dataset`` on the way (metrics.store.dask_engine).
    UsageError (before anything is stored) when a path named does not exist or the engine is unknown.
    """
    options = IngestOptions(db=db, region=region, published=published, workers=workers, progress=progress)
    if engine == "dask":
        from metrics.store.dask_engine import ingest_dask  # pyarrow writers and Dask only when asked for

        return ingest_dask(paths, **asdict(options), scheduler=scheduler, dataset=dataset)
    if engine != "local":
        raise UsageError(f"unknown engine {engine!r}: use local or dask")
    if scheduler is not None:
        raise UsageError("--scheduler needs --engine dask")
    return ingest_local(paths, options)


def store_at(path: str | os.PathLike = DEFAULT_DB) -> Backend:
    """The store at ``path``: a DuckDB file or a Parquet dataset folder (metrics.store.backends)."""
    from metrics.store.backends import store_at as backend_at

    return backend_at(path)


def store_version(db: str | os.PathLike = DEFAULT_DB) -> str:
    """A token that changes whenever the content changes, read without opening the database."""
    return store_at(db).version()


def load_statistics(
    db: str | os.PathLike = DEFAULT_DB,
    *,
    categories: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    regions: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Statistics with corrections applied (stat_id, every column of COLUMNS, corrected), optionally
    filtered; ``db`` may be a store file or a Parquet dataset folder."""
    from metrics.store.reading import StatisticsFilter

    return store_at(db).statistics(StatisticsFilter(categories, years, regions))


def load_document(db: str | os.PathLike, doc_id: str) -> dict | None:
    """One stored document (doc_id, path, source, content_hash, region, published, title, text, ...)."""
    return store_at(db).document(doc_id)


def list_documents(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """One row per stored document with its statistics count (text left out)."""
    return store_at(db).documents()


def documents_per_region_year(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """How many documents the store holds per region and publication year."""
    return store_at(db).documents_per_region_year()


def statistics_per_category(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """How many (corrected) statistics the store holds per category."""
    return store_at(db).statistics_per_category()


def list_corrections(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """Every correction, oldest first: id, stat_id, field, value, created_at, undone."""
    return store_at(db).corrections()


def add_correction(
    db: str | os.PathLike, stat: str, field: str, value: object, *, seen: object = NOT_GIVEN, author: str | None = None
) -> int:
    """Record a correction of one statistic (by stat_key, or stat_id) if it still holds the value ``seen``;
    returns its id (for undo). See metrics.store.corrections.add_correction."""
    return store_at(db).add_correction(stat, field, value, seen=seen, author=author)


def undo_correction(db: str | os.PathLike, correction_id: int) -> None:
    """Mark one correction undone (it stays listed); ValueError for an unknown id."""
    store_at(db).undo_correction(correction_id)


def load_series_points(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """One row per series point of the stored statistics (metrics.store.series.series_points), each stated
    value with its report and where that report came from; cached per store version (a new ingest or
    correction recomputes it). ``db`` may be a store file or a Parquet dataset folder.

    UsageError when the stored statistics lack the fields series need (measure, scope, region_code).
    """
    backend = store_at(db)
    return _series_points(backend, backend.version()).copy()


def load_disagreements(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """The pairs of statements of one series point that differ beyond their rounding (``disagreements``)."""
    from metrics.store.series import disagreements

    return disagreements(load_series_points(db))


@lru_cache(maxsize=4)
def _series_points(backend, version: str) -> pd.DataFrame:
    from metrics.store.series import series_points
    from metrics.store.statements import REQUIRED

    statistics = backend.statistics()
    missing = [c for c in REQUIRED if c not in statistics.columns]
    if missing:
        raise UsageError(
            f"the statistics of {backend.path} have no {', '.join(missing)}: series need the "
            "comparable fields of schema v2 (re-ingest with an extractor that gives them)"
        )
    addresses = backend.document_addresses()
    statistics = statistics.drop(columns=["source"], errors="ignore").merge(addresses, on="doc_id", how="left")
    return series_points(statistics)
