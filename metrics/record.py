"""The record types of the engine and the one table of their columns and types.

``Record`` is a statistic found in a report, with its evidence; ``Document`` a report as read. Each field
line below is the whole definition of a column: its name, its Python type and what it holds. The column
order (``COLUMNS``), the pandas dtypes of ``metrics.to_frame``, the SQL types of the store and the Arrow
types of the Parquet dataset are all derived from these lines, so adding a column is one line here (with
a default, after the last one without).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from operator import attrgetter

KINDS = ("count", "amount", "quantity", "rate", "change_pct", "change_abs", "duration")
QUALIFIERS = ("exact", "approx", "at_least", "at_most")
DIRECTIONS = ("up", "down")
BASES = ("yoy", "mom")
SCOPES = ("area", "case", "context")


@dataclass(frozen=True, slots=True)
class Record:
    """One statistic, grounded in its text: ``text[start:end] == surface``."""

    doc_id: str | None  # the document it came from (file name without extension)
    region: str | None  # jurisdiction the report speaks for
    published: str | None  # publication date, ISO ``YYYY-MM-DD``
    metric: str  # what is counted, in the report's words (刑事打处)
    category: str  # a key of metrics/patterns/categories.yaml (criminal, drugs, ...)
    kind: str  # one of KINDS
    value: float  # the number in plain base units (27亿 → 2.7e9, 7.1% → 7.1)
    unit: str  # counting word or unit as written, without magnitude (人, 起, 元, %)
    qualifier: str  # one of QUALIFIERS (余 → at_least, 约 → approx)
    direction: str | None  # up / down for changes, else None
    basis: str | None  # yoy / mom for changes, else None
    period: int | None  # the year the figure describes
    surface: str  # the exact substring of the text that carries the number
    start: int  # offset of surface in the text (half-open)
    end: int  # start + len(surface)
    sentence: str  # the sentence the figure stands in
    period_label: str | None = None  # the span covered (SCHEMA v2): 2024, 2024-H1, 2024-Q3, 2024-08,
    #                                  2024-01/2024-10, 2024-02-09/2024-02-17; None: several years, unknown
    measure: str = "other"  # a key of metrics/patterns/measures.yaml (solved, apprehended, ...)
    scope: str = "area"  # one of SCOPES: the area's statistic, a detail of one case, or context
    region_code: str = ""  # GB/T 2260 code of the jurisdiction (metrics/extraction/regions.py), "" when unknown
    province: str = ""  # the province of region_code, "" when unknown
    unit_norm: str = ""  # the unit's family (persons, cases, yuan, kg, percent, ...), "" when none

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Document:
    """A report as read: its text (which the offsets of its statistics index) and its metadata."""

    doc_id: str  # file name without extension (or the JSON's own doc_id)
    path: str  # where it was read from
    text: str  # the decoded text that offsets index
    content_hash: str  # sha256 of the raw bytes
    title: str | None = None
    published: str | None = None  # ISO date found in the document's metadata
    region: str | None = None
    source: str | None = None  # source address found in the document
    encoding: str = "utf-8"


# A field's Python type → its (pandas dtype, SQL type, Arrow type name); any other type is text.
# pandas' "str" dtype keeps missing values as NaN, so frames of different documents concatenate and
# write to Parquet with one schema whatever their rows hold.
_TYPES: dict[str, tuple[str, str, str]] = {
    "float": ("float64", "DOUBLE", "float64"),
    "int": ("int64", "BIGINT", "int64"),
    "int | None": ("Int64", "INTEGER", "int64"),
}
_TEXT = ("str", "VARCHAR", "string")


def _column_types(record_type: type, which: int) -> dict[str, str]:
    return {f.name: _TYPES.get(f.type, _TEXT)[which] for f in fields(record_type)}


# The statistics table's columns, in order: Record's fields.
COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Record))
PANDAS_TYPES: dict[str, str] = _column_types(Record, 0)
SQL_TYPES: dict[str, str] = _column_types(Record, 1)
ARROW_TYPES: dict[str, str] = _column_types(Record, 2)

# The documents table's columns, in order: Document's fields (the store adds when it ingested each).
DOCUMENT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Document))
DOCUMENT_SQL_TYPES: dict[str, str] = _column_types(Document, 1)
DOCUMENT_ARROW_TYPES: dict[str, str] = _column_types(Document, 2)

_FIELDS = attrgetter(*COLUMNS)


def record_rows(records: Iterable[Record]) -> list[tuple]:
    """Records as plain tuples in the order of ``COLUMNS`` (what travels between processes and what the
    store takes: no frame)."""
    return [_FIELDS(r) for r in records]


def records_digest(records: Iterable[Record]) -> str:
    """A digest of every field of every record, in order (floats by repr, so 0.1 ≠ 0.1000001): what pins a
    document's records (tests/test_records_unchanged.py) and compares two builds of the extractor."""
    return hashlib.sha256(repr(record_rows(records)).encode("utf-8")).hexdigest()[:16]
