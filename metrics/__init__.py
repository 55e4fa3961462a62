"""Statistics from Chinese public-security reports, as a grounded table.

>>> from metrics import extract, to_frame
>>> frame = to_frame(extract("全年刑事打处2129人", published="2025-01-10"))
>>> frame.loc[0, "metric"], float(frame.loc[0, "value"]), frame.loc[0, "unit"]
('刑事打处', 2129.0, '人')
"""

from metrics.extraction.pipeline import extract
from metrics.record import COLUMNS, Record

__all__ = ["COLUMNS", "Record", "extract", "to_frame"]


def __getattr__(name: str):
    # to_frame on first use: pandas (and the pyarrow it imports) is 130 MB and 0.3 s that extraction and
    # ingest do not need.
    if name == "to_frame":
        from metrics.extraction.frame import to_frame

        return to_frame
    raise AttributeError(f"module 'metrics' has no attribute {name!r}")
