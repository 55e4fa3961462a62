"""Series points for people: one region's series as a terminal table, flat rows for a CSV or spreadsheet,
a disagreement described in lines (``python -m metrics series`` and ``check``).
"""

from __future__ import annotations

import math

import pandas as pd

from metrics.store.series import LIST_COLUMNS


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
