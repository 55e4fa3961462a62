"""The one record type of the engine: a statistic found in a report, with its evidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass

# The table's columns, in order. The first sixteen are the contract of issue 2; later ones are extras
# (period_label, then the comparable-statistics columns of issue 10 / SCHEMA.md "schema v2").
COLUMNS: tuple[str, ...] = (
    "doc_id", "region", "published", "metric", "category", "kind", "value", "unit",
    "qualifier", "direction", "basis", "period", "surface", "start", "end", "sentence",
    "period_label", "measure", "scope", "region_code", "province", "unit_norm",
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
SCOPES = ("area", "case", "context")


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
    period_label: str | None = None  # the span covered (SCHEMA v2): 2024, 2024-H1, 2024-Q3, 2024-08,
    #                                  2024-01/2024-10, 2024-02-09/2024-02-17; None: several years, unknown
    measure: str = "other"  # a key of metrics/patterns/measures.yaml (solved, apprehended, ...)
    scope: str = "area"     # one of SCOPES: the area's statistic, a detail of one case, or context
    region_code: str = ""   # GB/T 2260 code of the jurisdiction (metrics/regions.py), "" when unknown
    province: str = ""      # the province of region_code, "" when unknown
    unit_norm: str = ""     # the unit's family (persons, cases, yuan, kg, percent, ...), "" when none

    def as_dict(self) -> dict:
        return asdict(self)
