"""The one place that tells a store file from a Parquet dataset folder, and the one interface to both.

``store_at(path)`` gives a DuckDBStore for a file (or a path where one is to be created) and a
ParquetDataset for a folder written by ``ingest --engine dask``. Export, the command line and the
dashboard read through these methods only; a new storage backend is one more class with the same
methods and one more branch in ``store_at``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metrics.errors import UsageError
from metrics.extraction.frame import with_column_types
from metrics.store import corrections, database, dataset, reading
from metrics.store.corrections import NOT_GIVEN
from metrics.store.reading import ALL_STATISTICS, StatisticsFilter


@dataclass(frozen=True)
class DuckDBStore:
    """A DuckDB store file: documents, statistics and the user's corrections."""

    path: Path

    def version(self) -> str:
        """A token that changes with the content, read without opening the file; "missing" without one."""
        return database.store_version(self.path)

    def statistics(self, wanted: StatisticsFilter = ALL_STATISTICS) -> pd.DataFrame:
        return reading.load_statistics(self.path, wanted)

    def document(self, doc_id: str) -> dict | None:
        return reading.load_document(self.path, doc_id)

    def documents(self) -> pd.DataFrame:
        return reading.list_documents(self.path)

    def documents_per_region_year(self) -> pd.DataFrame:
        return reading.documents_per_region_year(self.path)

    def statistics_per_category(self) -> pd.DataFrame:
        return reading.statistics_per_category(self.path)

    def corrections(self) -> pd.DataFrame:
        return corrections.list_corrections(self.path)

    def document_addresses(self) -> pd.DataFrame:
        return reading.document_addresses(self.path)

    def add_correction(
        self, stat: str, field: str, value: object, *, seen: object = NOT_GIVEN, author: str | None = None
    ) -> int:
        return corrections.add_correction(self.path, stat, field, value, seen=seen, author=author)

    def undo_correction(self, correction_id: int) -> None:
        corrections.undo_correction(self.path, correction_id)


@dataclass(frozen=True)
class ParquetDataset:
    """A Parquet dataset folder written by the Dask engine: statistics and documents, read only.

    It holds no corrections (they live in a store file) and no document counts: those calls are refused
    with what to use instead.
    """

    path: Path

    def _refuse(self, what: str) -> UsageError:
        return UsageError(
            f"{self.path} is a Parquet dataset folder, which holds no {what}: use the store file "
            "it was ingested with (--db data/metrics.duckdb)"
        )

    def documents(self) -> pd.DataFrame:
        raise self._refuse("document list")

    def documents_per_region_year(self) -> pd.DataFrame:
        raise self._refuse("document counts")

    def statistics_per_category(self) -> pd.DataFrame:
        raise self._refuse("statistics counts")

    def corrections(self) -> pd.DataFrame:
        """No corrections: an empty list of them."""
        return pd.DataFrame(columns=["id", "stat_id", "field", "value", "created_at", "undone"])

    def add_correction(self, stat: str, field: str, value: object, **_: object) -> int:
        raise ValueError(f"{self.path} is a Parquet dataset (read only): correct the store file instead")

    def undo_correction(self, correction_id: int) -> None:
        raise ValueError(f"{self.path} is a Parquet dataset (read only): it holds no corrections")

    def version(self) -> str:
        """A token that changes when a run finishes; "missing" before the first."""
        return dataset.dataset_version(self.path)

    def statistics(self, wanted: StatisticsFilter = ALL_STATISTICS) -> pd.DataFrame:
        where, params = wanted.where()
        return with_column_types(dataset.load_dataset_statistics(self.path, where, params))

    def document(self, doc_id: str) -> dict | None:
        return dataset.load_dataset_document(self.path, doc_id)

    def document_addresses(self) -> pd.DataFrame:
        return dataset.load_dataset_addresses(self.path)


Backend = DuckDBStore | ParquetDataset


def store_at(path: str | os.PathLike = database.DEFAULT_DB) -> Backend:
    """The backend behind ``path``: a Parquet dataset when it is a folder that holds one, else a DuckDB store
    file (a folder that is no dataset is then refused with a message when it is opened)."""
    path = Path(path)
    return ParquetDataset(path) if is_dataset_folder(path) else DuckDBStore(path)


def is_dataset_folder(path: Path) -> bool:
    """True for a folder written by ``ingest --engine dask`` (its runs log or its statistics folder)."""
    return path.is_dir() and ((path / "runs.jsonl").is_file() or (path / "statistics").is_dir())
