"""The statements of series points: the counts of the jurisdiction with their intervals, and the counts
of the year before derived from a count and its year-on-year change in one report (metrics.store.series
joins them into points).

Pure functions on pandas frames; nothing here reads or writes the store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import lru_cache

import pandas as pd
import regex

from metrics.extraction.normalize import normalize
from metrics.store.rounding import round_to, value_interval, written_step

KEY: tuple[str, ...] = ("region_code", "category", "measure", "unit_norm", "kind", "period_label")
REQUIRED = (
    "doc_id",
    "region_code",
    "category",
    "measure",
    "kind",
    "period_label",
    "scope",
    "value",
    "unit",
    "qualifier",
    "surface",
    "metric",
)


# ------------------------------------------------------------------------------------------ periods

_YEAR = regex.compile(r"(?<![0-9])([12][0-9]{3})(?![0-9])")


def previous_period(label: str | None) -> str | None:
    """The same span a year earlier: 2024 → 2023, 2024-H1 → 2023-H1, 2024-01/2024-10 → 2023-01/2023-10.

    >>> previous_period("2024-02-09/2024-02-17"), previous_period(None)
    ('2023-02-09/2023-02-17', None)
    """
    if not isinstance(label, str) or not _YEAR.search(label):
        return None
    if "-02-29" in label:  # no 29 February a year earlier
        return None
    return _YEAR.sub(lambda m: str(int(m.group()) - 1), label)


# -------------------------------------------------------------------------------------- statements

_BRACKETED = regex.compile(r"[((\[【][^))\]】]*[))\]】]")
_NOT_WORDS = regex.compile(r"[\s\p{P}\p{S}\x1f]+")


@lru_cache(maxsize=65536)
def metric_key(metric: str | None) -> str:
    """A metric's wording for matching: normalised script and width, bracketed notes and punctuation dropped.

    >>> metric_key("破獲“兩搶”案件(上年同期)") == metric_key("破获两抢案件")
    True
    """
    return _NOT_WORDS.sub("", _BRACKETED.sub("", normalize(metric or "")))


@dataclass(frozen=True, slots=True)
class Statement:
    """One value at a series point: stated by a report, or derived from a report's count and its change."""

    doc_id: str
    metric: str
    value: float
    low: float
    high: float
    derived: bool
    surface: str
    sentence: str
    source: str | None
    derived_from: str = ""  # "" when stated; change_pct or change_abs: the change it was derived from
    metric_key: str = ""  # metric_key(metric)
    ambiguous: bool = False  # its report has other values at this point (several facts on one key)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in _STATEMENT_FIELDS}


_STATEMENT_FIELDS = tuple(f.name for f in fields(Statement))


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the jurisdiction with a region, measure and period, every column series need present."""
    if frame.attrs.get("series_prepared"):
        return frame
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ValueError(f"statistics without the column(s) {', '.join(missing)}: cannot form series")
    rows = frame.copy()
    if "unit_norm" not in rows:
        rows["unit_norm"] = rows["unit"]
    rows["unit_norm"] = rows["unit_norm"].where(rows["unit_norm"].notna(), rows["unit"])
    for column in ("sentence", "source", "direction", "basis"):
        if column not in rows:
            rows[column] = None
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
    text_columns = [
        *KEY,
        "doc_id",
        "scope",
        "metric",
        "surface",
        "sentence",
        "source",
        "qualifier",
        "direction",
        "basis",
        "unit",
    ]
    for column in text_columns:
        rows[column] = rows[column].astype("string").fillna("").astype(object)
    keep = (rows["scope"] == "area") & rows["value"].notna() & ~rows["value"].isin([math.inf, -math.inf])
    for column in ("region_code", "measure", "period_label", "doc_id"):
        keep &= rows[column] != ""
    prepared = rows[keep]
    prepared.attrs["series_prepared"] = True
    return prepared


def stated_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """The counts of the jurisdiction that can sit in a series, with their intervals and metric keys."""
    rows = _prepared(frame)
    counts = rows[rows["kind"] == "count"].copy()
    counts["step"] = counts["surface"].map(written_step)
    bounds = [
        value_interval(v, q, s, whole=True) for v, q, s in zip(counts["value"], counts["qualifier"], counts["step"])
    ]
    counts["low"] = [b[0] for b in bounds]
    counts["high"] = [b[1] for b in bounds]
    counts["metric_key"] = counts["metric"].map(metric_key)
    return counts


def yoy_changes(frame: pd.DataFrame, kind: str = "change_pct") -> pd.DataFrame:
    """Year-on-year changes of the jurisdiction, signed (down 7.1 → -7.1), with their intervals:
    ``change_pct`` in % (not 个百分点, not 倍), or ``change_abs`` in counts (同比减少6起)."""
    rows = _prepared(frame)
    in_percent = (rows["unit"].map(normalize) == "%") if kind == "change_pct" else pd.Series(True, index=rows.index)
    changes = rows[
        (rows["kind"] == kind) & (rows["basis"] == "yoy") & in_percent & rows["direction"].isin(["up", "down"])
    ].copy()
    changes["step"] = changes["surface"].map(written_step)
    sign = changes["direction"].map({"up": 1.0, "down": -1.0})
    bounds = [
        value_interval(v, q, s, whole=kind == "change_abs")
        for v, q, s in zip(changes["value"], changes["qualifier"], changes["step"])
    ]
    changes["signed"] = changes["value"] * sign
    changes["signed_low"] = [min(sg * b[0], sg * b[1]) for sg, b in zip(sign, bounds)]
    changes["signed_high"] = [max(sg * b[0], sg * b[1]) for sg, b in zip(sign, bounds)]
    changes["metric_key"] = changes["metric"].map(metric_key)
    return changes


PAIR = ["doc_id", "region_code", "category", "measure", "period_label", "metric_key"]


def _single_per_pair(rows: pd.DataFrame, value_column: str) -> pd.DataFrame:
    """Rows whose report gives one value for their pair key (a value repeated in headline and body is one)."""
    distinct = rows.drop_duplicates(subset=[*PAIR, value_column])
    return distinct[~distinct.duplicated(subset=PAIR, keep=False)]


def derived_counts(counts: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Counts of the previous period derived from a count and its yoy change in one report.

    ``changes`` come from ``yoy_changes`` (of one kind). A count pairs with a change of the same report,
    place, category, measure, period and metric, when that report gives one value of each. A % change
    divides (2129人, +7.8% → 2129 / 1.078), a change in counts subtracts (16起, 减少6起 → 22); the value
    is rounded to the place of the count's last written digit, its interval comes from both figures'
    intervals; a fall of 100% or more derives nothing. ``derived_from`` names the kind of change.
    """
    columns = [*counts.columns, "derived_from"]
    if changes.empty or counts.empty:
        return pd.DataFrame(columns=columns)
    kind = changes["kind"].iloc[0]
    pairs = _single_per_pair(counts, "value").merge(
        _single_per_pair(changes, "signed")[[*PAIR, "signed", "signed_low", "signed_high", "surface", "sentence"]],
        on=PAIR,
        suffixes=("", "_change"),
    )
    rows = []
    for pair in pairs.itertuples(index=False):
        label = previous_period(pair.period_label)
        if kind == "change_pct":
            low_factor, high_factor = 1 + pair.signed_low / 100, 1 + pair.signed_high / 100
            if low_factor <= 0:
                continue
            value, low, high = pair.value / (1 + pair.signed / 100), pair.low / high_factor, pair.high / low_factor
        else:
            value, low, high = pair.value - pair.signed, pair.low - pair.signed_high, pair.high - pair.signed_low
        if label is None:
            continue
        row = pair._asdict()
        row.update(
            period_label=label,
            value=round_to(value, pair.step),
            low=low,
            high=high,
            derived_from=kind,
            surface=f"{pair.surface} {pair.surface_change}",
            sentence=pair.sentence
            if pair.sentence_change in ("", pair.sentence)
            else f"{pair.sentence} {pair.sentence_change}",
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(dict.fromkeys([*columns, *pairs.columns])))[columns]


def series_statements(frame: pd.DataFrame) -> pd.DataFrame:
    """Every statement of every series point, one row each: stated counts and derived ones (``derived``)."""
    rows = _prepared(frame)
    counts = stated_counts(rows)
    parts = [counts.assign(derived_from="")]
    for kind in ("change_pct", "change_abs"):
        derived = derived_counts(counts, yoy_changes(rows, kind))
        if len(derived):
            parts.append(derived)
    both = pd.concat(parts, ignore_index=True)
    both["derived"] = both["derived_from"] != ""
    columns = [
        *KEY,
        "doc_id",
        "metric",
        "metric_key",
        "value",
        "low",
        "high",
        "derived",
        "derived_from",
        "surface",
        "sentence",
        "source",
        "qualifier",
    ]
    return both[columns] if len(both) else pd.DataFrame(columns=columns)
