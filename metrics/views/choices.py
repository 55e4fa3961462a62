"""What the analyst's page offers to choose: categories, indicators (a measure in one unit family),
regions, periods, and the slice of one category every chart of it starts from. Pure functions on the
prepared statistics, no Streamlit.
"""

from __future__ import annotations

import pandas as pd

from metrics.views.rows import LEVEL_KINDS, area_rows, category_rows, level_rows, load_measures, region_keys

SLICE_COLUMNS = [
    "stat_id",
    "doc_id",
    "region",
    "region_code",
    "province_code",
    "published",
    "metric",
    "category",
    "measure",
    "scope",
    "kind",
    "value",
    "unit",
    "unit_family",
    "direction",
    "basis",
    "period",
    "period_label",
    "period_type",
    "derived",
    "source_stat_id",
    "change_stat_id",
    "start",
    "sentence",
    "surface",
]


def category_choices(frame: pd.DataFrame, order: list[str]) -> list[str]:
    """Categories with area statistics, the string table's order first."""
    present = set(area_rows(frame)["category"].astype("string").dropna().unique())
    return [c for c in order if c in present] + sorted(present - set(order))


def measure_choices(frame: pd.DataFrame, category: str) -> list[str]:
    """Measures of ``category`` that have a level or a change in the area, the measure table's order,
    the most frequent first when the table does not know them."""
    rows = category_rows(frame, category)
    rows = rows[rows["kind"].isin((*LEVEL_KINDS, "rate", "change_pct"))]
    counts = rows["measure"].astype("string").value_counts()
    present = [str(m) for m in counts[counts > 0].index]
    order = list(load_measures())
    return sorted(present, key=lambda m: (order.index(m) if m in order else len(order), -counts[m]))


def indicator_unit(frame: pd.DataFrame, category: str, measure: str) -> tuple[str, str]:
    """(unit family, unit as most often written) of the indicator's levels; ('', '') when it has none."""
    rows = level_rows(category_rows(frame, category))
    rows = rows[rows["measure"] == measure]
    if rows.empty:
        return "", ""
    counts = rows["unit_family"].astype("string").value_counts()
    family = str(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0])
    written = rows.loc[rows["unit_family"] == family, "unit"].astype("string").value_counts()
    return family, str(written.index[0]) if len(written) else family


def indicator_label(category_label: str, measure_label: str, unit: str) -> str:
    """'电信网络诈骗 · 发案 (起)'.

    >>> indicator_label("电信网络诈骗", "发案", "起")
    '电信网络诈骗 · 发案 (起)'
    """
    return f"{category_label} · {measure_label}" + (f" ({unit})" if unit else "")


def region_choices(frame: pd.DataFrame) -> pd.DataFrame:
    """Regions with area statistics: key, name, code, number of statistics; most statistics first."""
    rows = area_rows(frame)
    table = pd.DataFrame(
        {
            "region_key": region_keys(rows),
            "region": rows["region"].astype("string").fillna(""),
            "region_code": rows["region_code"].astype("string").fillna(""),
        }
    )
    table = table[table["region_key"] != ""]
    counted = table.groupby(["region_key", "region", "region_code"], observed=True).size().rename("statistics")
    return counted.reset_index().sort_values(["statistics", "region_key"], ascending=[False, True], ignore_index=True)


def period_choices(frame: pd.DataFrame, category: str, measure: str) -> list[str]:
    """The periods the indicator has a figure or a change for: whole years newest first, then the rest."""
    rows = category_rows(frame, category)
    rows = rows[(rows["measure"] == measure) & (rows["period_type"] != "none")]
    labels = rows[["period_label", "period_type"]].astype("string").drop_duplicates()
    labels = labels.assign(whole=labels["period_type"] == "year").sort_values(
        ["whole", "period_label"], ascending=[False, False]
    )
    return labels["period_label"].tolist()


def indicator_choices(frame: pd.DataFrame, category: str) -> list[str]:
    """The indicators of a category as choices: a measure key for its most common unit family, and
    ``measure/family`` for each other family it is stated in (警情 in 起 and 警情 in 个 do not add up).
    Indicators with values come first, the most stated first (so the default shows the most data), then
    measures with changes only, in the measure table's order."""
    rows = level_rows(category_rows(frame, category))
    with_values, changes_only = [], []
    for measure in measure_choices(frame, category):
        counts = rows.loc[rows["measure"] == measure, "unit_family"].astype("string").value_counts()
        families = [(str(f), int(n)) for f, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))) if n > 0]
        if not families:
            changes_only.append(measure)
            continue
        with_values.append((measure, families[0][1]))
        with_values += [(f"{measure}/{family}", n) for family, n in families[1:]]
    ranked = [choice for choice, _ in sorted(with_values, key=lambda pair: -pair[1])]  # stable: ties keep table order
    return ranked + changes_only


def resolve_indicator(frame: pd.DataFrame, category: str, choice: str) -> tuple[str, str, str]:
    """(measure, unit family, unit as most often written) of a choice from indicator_choices."""
    measure, _, family = choice.partition("/")
    if not family:
        family, written = indicator_unit(frame, category, measure)
        return measure, family, written
    rows = level_rows(category_rows(frame, category))
    written = rows.loc[(rows["measure"] == measure) & (rows["unit_family"] == family), "unit"].astype("string")
    counts = written.value_counts()
    return measure, family, str(counts.index[0]) if len(counts) else family


def indicator_units(frame: pd.DataFrame, category: str) -> dict[str, str]:
    """Each choice of indicator_choices → its unit as most often written, from one grouping of the rows."""
    rows = level_rows(category_rows(frame, category))
    counts = rows.groupby(["measure", "unit_family", "unit"], observed=True).size().reset_index(name="n")
    counts = counts[counts["n"] > 0]
    family_totals = counts.groupby(["measure", "unit_family"], observed=True)["n"].sum().reset_index()
    family_totals = family_totals[family_totals["n"] > 0].sort_values(
        ["measure", "n", "unit_family"], ascending=[True, False, True]
    )
    main_family = dict(
        zip(
            family_totals.drop_duplicates("measure")["measure"].astype(str),
            family_totals.drop_duplicates("measure")["unit_family"].astype(str),
        )
    )
    written = counts.sort_values(["n", "unit"], ascending=[False, True]).drop_duplicates(["measure", "unit_family"])
    unit_of = {(str(m), str(f)): str(u) for m, f, u in zip(written["measure"], written["unit_family"], written["unit"])}
    units = {}
    for choice in indicator_choices(frame, category):
        measure, _, family = choice.partition("/")
        units[choice] = unit_of.get((measure, family or main_family.get(measure, "")), "")
    return units


def busiest_regions(points: pd.DataFrame, limit: int) -> tuple[str, ...]:
    """The ``limit`` regions with the most points (then by key): what a chart shows when the user chose no
    region (more lines than that cannot be read)."""
    if points.empty:
        return ()
    counts = points.groupby("region_key", observed=True).size().reset_index(name="n")
    counts = counts.sort_values(["n", "region_key"], ascending=[False, True])
    return tuple(str(k) for k in counts["region_key"].head(limit))


def category_slice(frame: pd.DataFrame, category: str) -> pd.DataFrame:
    """The area statistics of one category with the columns the views read: what every chart of that
    category starts from (the page caches it per store version and category, so that a change of measure,
    region or period works on this slice, not on every statistic)."""
    rows = category_rows(frame, category)
    return rows[[c for c in SLICE_COLUMNS if c in rows.columns]]
