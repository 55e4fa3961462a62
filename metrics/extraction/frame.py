"""Records to a pandas DataFrame with the fixed column order and dtypes."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

import numpy as np
import pandas as pd

from metrics.record import COLUMNS, Record

NUMERIC: dict[str, str] = {"value": "float64", "start": "int64", "end": "int64", "period": "Int64"}
# Every other column is text (pandas' str dtype, missing values as NaN), whatever the rows hold, so that
# frames of different documents concatenate and write to Parquet with one schema.
DTYPES: dict[str, str] = {c: NUMERIC.get(c, "str") for c in COLUMNS}


_FIELDS = attrgetter(*COLUMNS)


def _column(values: tuple, dtype: str):
    """One column built straight in its dtype (a frame-wide astype costs four times as much)."""
    if dtype in ("str", "Int64"):
        return pd.array(values, dtype=dtype)
    return np.array(values, dtype=dtype)


def to_frame(records: Iterable[Record]) -> pd.DataFrame:
    """One row per record, columns exactly ``COLUMNS``, in order (an empty frame keeps them too)."""
    rows = [_FIELDS(r) for r in records]
    columns = list(zip(*rows)) if rows else [()] * len(COLUMNS)
    return pd.DataFrame({name: _column(values, DTYPES[name]) for name, values in zip(COLUMNS, columns)},
                        columns=list(COLUMNS))
