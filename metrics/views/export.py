"""Downloads: the filtered table and each chart's data as CSV (via metrics.store.exports) and Excel."""

from __future__ import annotations

import io

import pandas as pd

from metrics.store.exports import csv_bytes, neutralise_frame
from metrics.record import COLUMNS

EXPORT_COLUMNS = ("stat_id", *COLUMNS, "period_display", "is_partial", "derived", "corrected")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as an .xlsx workbook, text cells neutralised (openpyxl would otherwise store '=…' as a formula)."""
    buffer = io.BytesIO()
    safe = neutralise_frame(frame.head(EXCEL_MAX_ROWS))
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name="statistics")
    return buffer.getvalue()


def table_xlsx(frame: pd.DataFrame) -> bytes:
    """The filtered table as an Excel workbook."""
    return xlsx_bytes(export_table(frame))


def download_name(what: str, filter_slug: str, extension: str) -> str:
    """A file name that says what it holds: 'police-stats_yoy-changes_drugs_2020-2024.csv'."""
    return f"police-stats_{what}_{filter_slug}.{extension}"
