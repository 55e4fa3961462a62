"""Writing tables: CSV (UTF-8 with BOM, formula cells neutralised), Excel, JSONL, Parquet.

Every CSV the project writes goes through ``csv_bytes`` so that Excel shows Chinese text and no
text cell can run as a formula (OWASP CSV-injection guidance: a leading ``'`` before ``= + - @``,
tab or carriage return). Numbers stay numbers.

A table file names the dataset version of the data card: a Parquet file in its metadata, a CSV file in a
sidecar ``<name>.csv-metadata.json`` beside it (the W3C "CSV on the Web" place for a CSV's metadata), so
the CSV itself stays plain for pandas, R and spreadsheets.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from metrics.errors import UsageError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = (".csv", ".xlsx", ".jsonl", ".parquet")
# The version of the shipped dataset (data/README.md, the data card), written into every Parquet file's metadata.
DATASET_VERSION = "2026.12"
DATA_CARD = "data/README.md"
PARQUET_METADATA = {b"metrics.dataset_version": DATASET_VERSION.encode(), b"metrics.data_card": DATA_CARD.encode()}
CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
# Characters an .xlsx cell cannot hold (openpyxl refuses them): C0 controls other than tab, LF, CR.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``.

    >>> neutralise_cell('=HYPERLINK("x")')
    '\\'=HYPERLINK("x")'
    >>> neutralise_cell(-7.1)
    -7.1
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are all safe to open in a spreadsheet."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell)
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV as UTF-8 with a BOM, every text cell neutralised."""
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    """An Excel workbook of ``frame``: text cells neutralised like CSV, characters Excel cannot hold dropped."""
    safe = neutralise_frame(frame)
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: _XLSX_ILLEGAL.sub("", v) if isinstance(v, str) else v)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name="statistics")
    return buffer.getvalue()


def output_format(path: str | os.PathLike) -> str:
    """The format an output path asks for, by its extension; a usage error for any other."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"unknown output extension {suffix or '(none)'!r} for {path}: use one of {', '.join(FORMATS)}")
    return suffix


def table_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The bytes of ``frame`` in one of FORMATS."""
    if fmt == ".csv":
        return csv_bytes(frame)
    if fmt == ".xlsx":
        return xlsx_bytes(frame)
    if fmt == ".jsonl":
        return frame.to_json(orient="records", lines=True, force_ascii=False).encode("utf-8")
    if fmt == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **PARQUET_METADATA})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        return sink.getvalue().to_pybytes()
    raise UsageError(f"unknown output format {fmt!r}")


def csv_metadata_path(csv_path: str | os.PathLike) -> Path:
    """Where a CSV file's metadata lives: ``stats.csv`` -> ``stats.csv-metadata.json`` (CSVW's default place)."""
    path = Path(csv_path)
    return path.with_name(path.name + "-metadata.json")


def csv_metadata(csv_name: str, columns: list[str]) -> dict:
    """The CSVW metadata of a CSV file: which file, the dataset version of the data card, the column titles.

    >>> csv_metadata("stats.csv", ["metric"])["schema:version"] == DATASET_VERSION
    True
    """
    return {
        "@context": CSVW_CONTEXT,
        "url": csv_name,
        "schema:version": DATASET_VERSION,
        "rdfs:seeAlso": DATA_CARD,
        "tableSchema": {"columns": [{"titles": str(neutralise_cell(str(c)))} for c in columns]},
    }


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_table(frame: pd.DataFrame, out: str | os.PathLike | None) -> None:
    """Write ``frame`` to ``out`` (format by extension) atomically, or as CSV to stdout when ``out`` is None."""
    with table_writer(out, frame.iloc[:0]) as write:
        write(frame)


def _csv_part(frame: pd.DataFrame, first: bool) -> bytes:
    """One part of a CSV written in parts: the first carries the BOM and the header."""
    text = neutralise_frame(frame).to_csv(index=False, header=first)
    return text.encode("utf-8-sig" if first else "utf-8")


@contextmanager
def table_writer(out: str | os.PathLike | None, empty: pd.DataFrame) -> Iterator[Callable[[pd.DataFrame], None]]:
    """A function that writes a table part by part (frames with the columns of ``empty``), so that memory
    holds one part at a time: CSV on stdout when ``out`` is None, else a file replaced atomically when
    the block ends (.xlsx parts are kept and written at the end: a workbook cannot be appended to)."""
    if out is None:
        started = []

        def write_stdout(frame: pd.DataFrame) -> None:
            sys.stdout.buffer.write(_csv_part(frame, not started))
            started.append(True)

        yield write_stdout
        if not started:
            write_stdout(empty)
        sys.stdout.buffer.flush()
        return
    target = Path(out)
    fmt = output_format(out)
    if not target.parent.is_dir():
        raise UsageError(f"no such directory for the output file: {target.parent}")
    with _replaced_atomically(target) as handle:
        if fmt == ".csv":
            written = []

            def write_csv(frame: pd.DataFrame) -> None:
                handle.write(_csv_part(frame, not written))
                written.append(True)

            yield write_csv
            if not written:
                write_csv(empty)
        elif fmt == ".jsonl":
            yield lambda frame: handle.write(table_bytes(frame, ".jsonl")) if len(frame) else None
        elif fmt == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = pa.Schema.from_pandas(empty, preserve_index=False)
            schema = schema.with_metadata({**(schema.metadata or {}), **PARQUET_METADATA})
            with pq.ParquetWriter(handle, schema) as parquet:
                parquet.write_table(pa.Table.from_pandas(empty, schema=schema, preserve_index=False))
                yield lambda frame: parquet.write_table(
                    pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
                )
        else:
            parts = [empty]
            yield parts.append
            handle.write(xlsx_bytes(pd.concat(parts, ignore_index=True)))
    if fmt == ".csv":
        # Under an ASCII locale a file name from the command line holds surrogates: its bytes are the name.
        name = os.fsencode(target.name).decode("utf-8", "replace")
        sidecar = json.dumps(csv_metadata(name, list(empty.columns)), ensure_ascii=False, indent=2)
        with _replaced_atomically(csv_metadata_path(target)) as handle:
            handle.write(sidecar.encode("utf-8") + b"\n")


@contextmanager
def _replaced_atomically(target: Path) -> Iterator[BinaryIO]:
    """A binary file handle whose content replaces ``target`` when the block ends (nothing changes on error)."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
