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

import math
from collections import defaultdict
from dataclasses import replace
from itertools import combinations

import pandas as pd

from metrics.store.rounding import overlap, telling_apart
from metrics.store.statements import KEY, Statement, metric_key, series_statements

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


# The list columns of a point: each stated value with its report, source, surface and sentence, then the derived.
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
POINT_COLUMNS = [*KEY, "value", "derived", "n_sources", "agree", "ambiguous", *LIST_COLUMNS, "statements"]


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
    a stated value is always side a. A derived value is shown as its interval's middle, to the decimals
    that tell it from the other value (3起 上升100% gives 1.5 a year earlier, beside 增多1起's 2).
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
            row = {
                **{k: getattr(point, k) for k in KEY},
                "what": what,
                **{f"{field}_{side}": getattr(s, field) for side, s in (("a", a), ("b", b)) for field in _SIDE},
            }
            if a.derived or b.derived:  # a derived value rounded to its count's digit may look like the other
                shown = telling_apart((a.low, a.high), (b.low, b.high))
                row.update({f"value_{side}": v if s.derived else s.value for side, s, v in zip("ab", (a, b), shown)})
            rows.append(row)
    return pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
