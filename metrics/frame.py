"""Records to a pandas DataFrame with the fixed column order and dtypes."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

import pandas as pd

from metrics.record import COLUMNS, Record

NUMERIC: dict[str, str] = {"value": "float64", "start": "int64", "end": "int64", "period": "Int64"}
# Every other column is text (pandas' str dtype, missing values as NaN), whatever the rows hold, so that
# frames of different documents concatenate and write to Parquet with one schema.
DTYPES: dict[str, str] = {c: NUMERIC.get(c, "str") for c in COLUMNS}


_FIELDS = attrgetter(*COLUMNS)


def to_frame(records: Iterable[Record]) -> pd.DataFrame:
    """One row per record, columns exactly ``COLUMNS``, in order (an empty frame keeps them too)."""
    frame = pd.DataFrame.from_records([_FIELDS(r) for r in records], columns=list(COLUMNS))
    return frame.astype(DTYPES)
