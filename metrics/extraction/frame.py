"""Records to a pandas DataFrame with the fixed column order and dtypes."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from metrics.record import COLUMNS, PANDAS_TYPES, Record, record_rows


def _column(values: tuple, dtype: str):
    """One column built straight in its dtype (a frame-wide astype costs four times as much)."""
    if dtype in ("str", "Int64"):
        return pd.array(values, dtype=dtype)
    return np.array(values, dtype=dtype)


def to_frame(records: Iterable[Record]) -> pd.DataFrame:
    """One row per record, columns exactly ``COLUMNS``, in order (an empty frame keeps them too)."""
    return rows_to_frame(record_rows(records))


def rows_to_frame(rows: list[tuple]) -> pd.DataFrame:
    """Tuples of ``record_rows`` as the frame ``to_frame`` gives."""
    columns = list(zip(*rows)) if rows else [()] * len(COLUMNS)
    return pd.DataFrame(
        {name: _column(values, PANDAS_TYPES[name]) for name, values in zip(COLUMNS, columns)}, columns=list(COLUMNS)
    )


def with_column_types(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame read back from a store or a dataset, its columns in the dtypes of ``to_frame``."""
    return frame.astype({c: t for c, t in PANDAS_TYPES.items() if c in frame.columns})
