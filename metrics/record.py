"""The one record type of the engine: a statistic found in a report, with its evidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass

# The table's columns, in order. The first sixteen are the contract of issue 2; later ones are extras.
COLUMNS: tuple[str, ...] = (
    "doc_id", "region", "published", "metric", "category", "kind", "value", "unit",
    "qualifier", "direction", "basis", "period", "surface", "start", "end", "sentence",
    "period_label",
)

# The category keys of SCHEMA.md, in its order (metrics/patterns/categories.yaml must hold exactly these).
CATEGORY_KEYS: tuple[str, ...] = (
    "criminal", "public_order", "telecom_fraud", "vice", "injury", "homicide", "theft_robbery",
    "economic_crime", "drugs", "organized_crime", "cybercrime", "firearms_explosives", "smuggling_border",
    "environment", "food_drug_safety", "traffic", "public_service", "security_ops", "police_force", "other",
)
KINDS = ("count", "amount", "quantity", "rate", "change_pct", "change_abs", "duration")
QUALIFIERS = ("exact", "approx", "at_least", "at_most")
DIRECTIONS = ("up", "down")
BASES = ("yoy", "mom")


@dataclass(frozen=True, slots=True)
class Record:
    """One statistic, grounded in its text: ``text[start:end] == surface``."""

    doc_id: str | None      # the document it came from (file name without extension)
    region: str | None      # jurisdiction the report speaks for
    published: str | None   # publication date, ISO ``YYYY-MM-DD``
    metric: str             # what is counted, in the report's words (刑事打处)
    category: str           # a key of metrics/patterns/categories.yaml (criminal, drugs, ...)
    kind: str               # one of KINDS
    value: float            # the number in plain base units (27亿 → 2.7e9, 7.1% → 7.1)
    unit: str               # counting word or unit as written, without magnitude (人, 起, 元, %)
    qualifier: str          # one of QUALIFIERS (余 → at_least, 约 → approx)
    direction: str | None   # up / down for changes, else None
    basis: str | None       # yoy / mom for changes, else None
    period: int | None      # the year the figure describes
    surface: str            # the exact substring of the text that carries the number
    start: int              # offset of surface in the text (half-open)
    end: int                # start + len(surface)
    sentence: str           # the sentence the figure stands in
    period_label: str | None = None  # partial periods: 2024-Q1, 2024-H1, 2024-01..11

    def as_dict(self) -> dict:
        return asdict(self)
