"""Records to a pandas DataFrame with the fixed column order and dtypes."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from metrics.record import COLUMNS, Record

DTYPES: dict[str, str] = {
    "value": "float64",
    "start": "int64",
    "end": "int64",
    "period": "Int64",
}


def to_frame(records: Iterable[Record]) -> pd.DataFrame:
    """One row per record, columns exactly ``COLUMNS``, in order (an empty frame keeps them too)."""
    rows = [r.as_dict() for r in records]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype(DTYPES)
