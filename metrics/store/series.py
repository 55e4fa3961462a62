"""Statistics joined into series: one row per series point, its sources, derived values, disagreements.

A series point is one fact about one place over one span of time:
``(region_code, category, measure, unit_norm, kind, period_label)`` (``KEY``). Only statistics of the
jurisdiction (``scope == "area"``) that are counts form series; a year-on-year change (``change_pct``,
basis ``yoy``, in %) of a count in the same report gives a *derived* value for the same span a year
earlier (2129人, 同比上升7.8% → ≈1975 in 2023), which stays marked derived and never replaces a stated one.

Every value carries the interval its surface allows (``value_interval``): ``1.17万`` is 11650–11750,
``约2000`` is 1500–2500, ``2000余`` is 2000–3000, ``7.8%`` is 7.75–7.85. Two statements agree when their
intervals meet; a derived value's interval comes from both figures' intervals.

One report may state several facts that fall on one point (打掉涉黑组织6个 and 打掉恶势力组织154个 are
both organised-crime groups): such a point is ``ambiguous`` for that report, and its statements are only
compared with statements of the same metric (same wording, after normalisation).

Pure functions on pandas frames; nothing here reads or writes the store.
"""

from __future__ import annotations

import collections
import math
from collections import defaultdict
from dataclasses import dataclass, fields, replace
from functools import cache, lru_cache
from itertools import combinations

import pandas as pd
import regex

from metrics.extraction.normalize import FILLER, normalize
from metrics.extraction.numbers import magnitude_factor
from metrics.rules import load

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
_EPSILON = 1e-9


# ------------------------------------------------------------------------------------ the rounding


@cache
def _figure_patterns() -> tuple[regex.Pattern, regex.Pattern]:
    numbers = load("numbers")
    arabic = regex.compile(
        rf"(?P<number>{numbers['arabic']})\s*(?P<inner>{numbers['inner_approx']})?"
        rf"\s*(?P<magnitude>{numbers['arabic_magnitude']})?"
    )
    chars = "".join([*numbers["digits"], *numbers["small_units"], *numbers["large_units"]])
    return arabic, regex.compile(f"[{regex.escape(chars)}]+")


@lru_cache(maxsize=65536)
def written_step(surface: str) -> float:
    """The place of the last digit the surface writes: ``8029起`` → 1, ``1.17万`` → 100, ``48.9万余起`` →
    1000, ``9000余万条`` → 10000, ``7.8%`` → 0.1, ``两千`` → 1000; 1 when no number can be read.

    >>> [written_step(s) for s in ("8029起", "1.17万人", "9000余万条", "上升7.8%", "1.8萬(wàn)餘人", "两千", "二十三")]
    [1.0, 100.0, 10000.0, 0.1, 1000.0, 1000.0, 1.0]
    >>> written_step("5万2,826件")
    1.0
    """
    text = normalize(surface).replace(FILLER, "")
    arabic, chinese = _figure_patterns()
    # the last number written decides: 5万2,826 → 1
    match = collections.deque(arabic.finditer(text), maxlen=1).pop() if arabic.search(text) else None
    if match:
        decimals = match["number"].partition(".")[2]
        step = 10.0 ** -len(decimals)
        return step * magnitude_factor(match["magnitude"]) if match["magnitude"] else step
    match = chinese.search(text)
    if not match:
        return 1.0
    numeral = match.group()
    digits = load("numbers")["digits"]
    last_digit = max((i for i, char in enumerate(numeral) if char in digits), default=-1)
    trailing = numeral[last_digit + 1 :]
    return magnitude_factor(trailing) if trailing else 1.0


def rounding_place(value: float, step: float) -> float:
    """The place of the value's last non-zero digit, at least ``step``: 2000 (step 1) → 1000."""
    if not math.isfinite(value) or step <= 0:
        return step
    units = round(abs(value) / step)
    place = step
    while units and units % 10 == 0:
        units //= 10
        place *= 10
    return place


def value_interval(value: float, qualifier: str | None, step: float, *, whole: bool = False) -> tuple[float, float]:
    """The values a surface allows, as [low, high].

    exact: rounded at its last written digit (``1.17万`` → ±50), or just the value for a ``whole`` count
    written to the unit (``3起`` is 3, not 2.5 to 3.5: things are counted whole); approx (约, 近, 左右):
    rounded at its last
    non-zero digit (``约2000`` → ±500); at_least (余, 多, 超过): up to one more unit of that digit
    (``2000余`` → 2000–3000); at_most (不到, 以下): down to one unit less.

    >>> value_interval(11700, "exact", 100), value_interval(2000, "approx", 1), value_interval(2000, "at_least", 1)
    ((11650.0, 11750.0), (1500.0, 2500.0), (2000.0, 3000.0))
    >>> value_interval(3, "exact", 1, whole=True), value_interval(7.8, "exact", 0.1)
    ((3.0, 3.0), (7.75, 7.85))
    """
    value, place = float(value), rounding_place(value, step)
    if qualifier == "approx":
        return value - place / 2, value + place / 2
    if qualifier == "at_least":
        return value, value + place
    if qualifier == "at_most":
        return value - place, value
    if whole and step == 1:
        return value, value
    return value - step / 2, value + step / 2


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """True when two intervals meet (within floating-point noise)."""
    slack = _EPSILON * max(1.0, abs(a[0]), abs(a[1]), abs(b[0]), abs(b[1]))
    return a[0] <= b[1] + slack and b[0] <= a[1] + slack


def round_to(value: float, step: float) -> float:
    """``value`` rounded to a multiple of ``step`` (half away from zero), without binary noise."""
    units = math.floor(abs(value) / step + 0.5)
    digits = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return math.copysign(round(units * step, digits), value)


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


# ------------------------------------------------------------------------------------------- points


def _mark_ambiguous(statements: list[Statement]) -> list[Statement]:
    """Flag the statements of a report that holds values at this point which cannot all be one fact."""
    by_report: dict[tuple[str, str], list[Statement]] = defaultdict(list)
    for statement in statements:
        by_report[(statement.doc_id, statement.derived_from)].append(statement)
    several = {
        key
        for key, group in by_report.items()
        if any(not overlap((a.low, a.high), (b.low, b.high)) for a, b in combinations(group, 2))
    }
    return [replace(s, ambiguous=True) if (s.doc_id, s.derived_from) in several else s for s in statements]


def comparable(a: Statement, b: Statement) -> bool:
    """Should these two statements of one point state the same fact?

    Two statements of one report are compared only when they come by different ways (stated, derived
    from a % change, derived from a change in counts); statements of a report with several facts at the
    point only with the same metric.
    """
    if a.doc_id == b.doc_id and a.derived_from == b.derived_from:
        return False
    if a.ambiguous or b.ambiguous:
        return (a.metric_key or metric_key(a.metric)) == (b.metric_key or metric_key(b.metric))
    return True


def _most_precise(statements: list[Statement]) -> Statement:
    return min(statements, key=lambda s: (s.high - s.low, s.doc_id))


def _point(key: tuple, statements: list[Statement]) -> dict:
    statements = _mark_ambiguous(statements)
    stated = [s for s in statements if not s.derived]
    derived = [s for s in statements if s.derived]
    pairs = [(a, b) for a, b in combinations(statements, 2) if comparable(a, b)]
    meets = [overlap((a.low, a.high), (b.low, b.high)) for a, b in pairs]
    agree = all(meets) if pairs else None
    stated_agree = all(ok for (a, b), ok in zip(pairs, meets) if not (a.derived or b.derived))
    ambiguous = any(s.ambiguous for s in statements)
    value, is_derived = math.nan, False
    if stated and not any(s.ambiguous for s in stated) and stated_agree:  # a derived value never decides
        value = _most_precise(stated).value
    elif not stated and derived and not ambiguous and agree is not False:
        value, is_derived = _most_precise(derived).value, True
    return {
        **dict(zip(KEY, key)),
        "value": value,
        "derived": is_derived,
        "n_sources": len({s.doc_id for s in stated}),
        "agree": agree,
        "ambiguous": ambiguous,
        "values": [s.value for s in stated],
        "doc_ids": [s.doc_id for s in stated],
        "sources": [s.source for s in stated],
        "surfaces": [s.surface for s in stated],
        "sentences": [s.sentence for s in stated],
        "derived_values": [s.value for s in derived],
        "derived_doc_ids": [s.doc_id for s in derived],
        "derived_sentences": [s.sentence for s in derived],
        "statements": [s.as_dict() for s in statements],
    }


POINT_COLUMNS = [
    *KEY,
    "value",
    "derived",
    "n_sources",
    "agree",
    "ambiguous",
    "values",
    "doc_ids",
    "sources",
    "surfaces",
    "sentences",
    "derived_values",
    "derived_doc_ids",
    "derived_sentences",
    "statements",
]


def series_points(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per series point (``KEY``) of the statistics in ``frame``.

    ``value``: the stated value (the most precise statement when several agree, whatever derived values
    say), else the derived one with ``derived`` True, else NaN (the point's stated values disagree, or a
    report has several facts on it: ``ambiguous``). ``n_sources``: reports that state it. ``agree``:
    whether every pair of statements
    that should be one fact meets within its rounding (None when there is no such pair). List columns
    give each stated value with its report, source, surface and sentence, then the derived ones;
    ``statements`` holds them all for ``disagreements``.

    ``frame`` has the columns of ``metrics.record.COLUMNS`` plus ``measure``, ``scope``, ``region_code``
    (``unit_norm``, ``source`` when known); ValueError names any that are missing.
    """
    statements = series_statements(frame)
    grouped: dict[tuple, list[Statement]] = defaultdict(list)
    for row in statements.itertuples(index=False):
        grouped[tuple(getattr(row, k) for k in KEY)].append(
            Statement(
                doc_id=row.doc_id,
                metric=row.metric,
                value=float(row.value),
                low=float(row.low),
                high=float(row.high),
                derived=bool(row.derived),
                surface=row.surface,
                sentence=row.sentence,
                source=row.source or None,
                derived_from=row.derived_from,
                metric_key=row.metric_key,
            )
        )
    points = [_point(key, grouped[key]) for key in sorted(grouped)]
    return pd.DataFrame(points, columns=POINT_COLUMNS)


# ---------------------------------------------------------------------------------- disagreements

_SIDE = ("value", "low", "high", "derived_from", "doc_id", "surface", "sentence")
DISAGREEMENT_COLUMNS = [*KEY, "what", *(f"{field}_{side}" for side in "ab" for field in _SIDE)]


def disagreements(points: pd.DataFrame) -> pd.DataFrame:
    """Pairs of statements of one point that should be one fact and differ beyond their rounding.

    ``what`` says which: ``sources`` (two reports state it), ``stated/derived`` (a report states it, a
    report's count and change imply it) or ``derived`` (two changes imply it). Both values with their
    intervals, how each was had (``derived_from``: empty when stated), reports, surfaces and sentences;
    a stated value is always side a.
    """
    rows = []
    for point in points[points["agree"].eq(False)].itertuples(index=False):
        statements = [Statement(**s) for s in point.statements]
        for a, b in combinations(statements, 2):
            if not comparable(a, b) or overlap((a.low, a.high), (b.low, b.high)):
                continue
            if a.derived and not b.derived:
                a, b = b, a
            what = "sources" if not (a.derived or b.derived) else ("derived" if a.derived else "stated/derived")
            rows.append(
                {
                    **{k: getattr(point, k) for k in KEY},
                    "what": what,
                    **{f"{field}_{side}": getattr(s, field) for side, s in (("a", a), ("b", b)) for field in _SIDE},
                }
            )
    return pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)


# --------------------------------------------------------------------------------------- for output


def select_points(points: pd.DataFrame, region_code: str, measure: str, category: str | None = None) -> pd.DataFrame:
    """The points of one region's series of one measure (and category), in period order."""
    chosen = points[(points["region_code"] == region_code) & (points["measure"] == measure)]
    if category:
        chosen = chosen[chosen["category"] == category]
    return chosen.sort_values(["category", "unit_norm", "kind", "period_label"]).reset_index(drop=True)


SHOWN_COLUMNS = [
    "period_label",
    "category",
    "kind",
    "unit_norm",
    "value",
    "derived",
    "n_sources",
    "agree",
    "doc_ids",
    "sources",
]


def series_table(points: pd.DataFrame) -> str:
    """Selected points as a terminal table: period, what, value (``≈`` when derived), sources."""
    flat = flat_points(points)[SHOWN_COLUMNS].copy()
    flat["value"] = [
        ("≈" if derived else "") + ("-" if math.isnan(value) else _plain(float(value)))
        for value, derived in zip(points["value"], points["derived"])
    ]
    flat["agree"] = flat["agree"].map({True: "yes", False: "NO"}).fillna("")
    return flat.drop(columns=["derived"]).to_string(index=False)


def measures_of(points: pd.DataFrame, region_code: str) -> list[str]:
    """The measures a region's series have (to say what there is when a request finds nothing)."""
    return sorted(set(points.loc[points["region_code"] == region_code, "measure"]))


LIST_COLUMNS = (
    "values",
    "doc_ids",
    "sources",
    "surfaces",
    "sentences",
    "derived_values",
    "derived_doc_ids",
    "derived_sentences",
)


def flat_points(points: pd.DataFrame, separator: str = " | ") -> pd.DataFrame:
    """Series points for a CSV or spreadsheet: list columns joined with ``separator``, ``statements`` left out."""
    flat = points.drop(columns=["statements"])
    for column in LIST_COLUMNS:
        flat[column] = flat[column].map(lambda items: separator.join("" if i is None else _plain(i) for i in items))
    return flat


def _plain(item) -> str:
    """A list item as text: 1975.0 → 1975, 98.19 → 98.19."""
    if isinstance(item, float) and item.is_integer():
        return str(int(item))
    return str(item)


def _side(value: float, low: float, high: float, derived_from: str) -> str:
    shown, span = _plain(value), f"{low:.6g}–{high:.6g}"
    if not derived_from:
        return shown if low == high else f"{shown} ({span})"
    return f"≈{shown} ({span}, from {derived_from})"


def describe_disagreement(row) -> str:
    """One disagreement as lines for a terminal: the point, then each side with its value and sentence.

    >>> flagged = {"region_code": "350982", "category": "traffic", "measure": "accidents", "unit_norm": "起",
    ...   "period_label": "2016-03", "what": "derived", "value_a": 9.0, "low_a": 8.9996, "high_a": 9.0023,
    ...   "derived_from_a": "change_pct", "doc_id_a": "fuding", "surface_a": "3起 下降66.67%",
    ...   "sentence_a": "桐城辖区发生3起同比减少2起下降66.67%", "value_b": 5.0, "low_b": 5.0, "high_b": 5.0,
    ...   "derived_from_b": "change_abs", "doc_id_b": "fuding", "surface_b": "3起 减少2起",
    ...   "sentence_b": "桐城辖区发生3起同比减少2起下降66.67%"}
    >>> print(describe_disagreement(flagged))
    350982 traffic accidents 起 2016-03 (derived)
      ≈9 (8.9996–9.0023, from change_pct)  fuding  3起 下降66.67%  桐城辖区发生3起同比减少2起下降66.67%
      ≈5 (5–5, from change_abs)  fuding  3起 减少2起  桐城辖区发生3起同比减少2起下降66.67%
    """
    get = row.get if isinstance(row, dict) else row.__getitem__
    lines = [
        f"{get('region_code')} {get('category')} {get('measure')} {get('unit_norm')} "
        f"{get('period_label')} ({get('what')})"
    ]
    for side in "ab":
        lines.append(
            f"  {_side(get(f'value_{side}'), get(f'low_{side}'), get(f'high_{side}'), get(f'derived_from_{side}'))}"
            f"  {get(f'doc_id_{side}')}  {get(f'surface_{side}')}  {get(f'sentence_{side}')}"
        )
    return "\n".join(lines)
