"""Downloads: the filtered table and each chart's data as CSV and Excel (written by metrics.store.exports,
the same writers as ``python -m metrics export``)."""

from __future__ import annotations

import pandas as pd

from metrics.record import COLUMNS
from metrics.store.exports import csv_bytes, neutralise_frame, xlsx_bytes

EXPORT_COLUMNS = ("stat_id", *COLUMNS, "period_display", "is_partial", "derived", "corrected")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMES = {"csv": "text/csv", "xlsx": XLSX_MIME}
EXCEL_MAX_ROWS = 1_048_575  # a sheet's rows, less the header


def export_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The filtered statistics as they are downloaded: the table's columns plus derived/corrected flags."""
    columns = [c for c in EXPORT_COLUMNS if c in frame.columns]
    table = frame[columns].copy()
    for column in table.columns:
        if isinstance(table[column].dtype, pd.CategoricalDtype):
            table[column] = table[column].astype("string")
    return table.reset_index(drop=True)


def table_csv(frame: pd.DataFrame) -> bytes:
    """The filtered table as CSV bytes (UTF-8 BOM, formula cells neutralised)."""
    return csv_bytes(export_table(frame))


def table_xlsx(frame: pd.DataFrame) -> bytes:
    """The filtered table as an Excel workbook (as many rows as a sheet holds)."""
    return xlsx_bytes(export_table(frame).head(EXCEL_MAX_ROWS))


def chart_csv(frame: pd.DataFrame) -> bytes:
    """A chart's data as CSV bytes (UTF-8 BOM, formula cells neutralised)."""
    return csv_bytes(frame)


def safe_for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame whose text cells are safe to show or copy into a spreadsheet (formula cells neutralised)."""
    return neutralise_frame(frame)


def download_name(what: str, filter_slug: str, extension: str) -> str:
    """A file name that says what it holds: 'police-stats_yoy-changes_drugs_2020-2024.csv'."""
    return f"police-stats_{what}_{filter_slug}.{extension}"
