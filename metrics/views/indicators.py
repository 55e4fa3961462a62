"""Indicators (category × measure, one unit) as the analyst's dashboard reads them: pure functions on the
prepared statistics (metrics.views.prepare), no Streamlit.

Only statistics of the area (``scope == "area"``) are charted. One point per region and period: a figure
the report states beats one derived from a year-on-year change; among stated figures the newest report's
first statement wins (the headline before its repeats), and the number of alternatives is kept.
"""

from __future__ import annotations

import pandas as pd

# What the page reads through this module (``from metrics.views import indicators as ind``) and lives in
# the modules it is split into: the rows and tables, the choices, the overviews.
from metrics.views.choices import (
    busiest_regions,
    category_choices,
    category_slice,
    indicator_choices,
    indicator_label,
    indicator_units,
    period_choices,
    region_choices,
    resolve_indicator,
)
from metrics.views.overviews import category_multiples, coverage, headline_cards, tile_grid
from metrics.views.rows import (
    POINT_COLUMNS,
    category_rows,
    level_rows,
    load_measures,
    load_provinces,
    one_per_point,
    region_keys,
)

__all__ = [
    "busiest_regions",
    "category_choices",
    "category_multiples",
    "category_slice",
    "change_points",
    "change_tone",
    "coverage",
    "headline_cards",
    "indicator_choices",
    "indicator_label",
    "indicator_points",
    "indicator_units",
    "load_measures",
    "load_provinces",
    "period_choices",
    "points_download",
    "region_choices",
    "region_keys",
    "resolve_indicator",
    "sources_of",
    "tile_grid",
    "value_ranking",
]


def indicator_points(
    frame: pd.DataFrame,
    category: str,
    measure: str,
    unit_family: str,
    regions: tuple[str, ...] = (),
    *,
    partial: bool = False,
    include_derived: bool = True,
) -> pd.DataFrame:
    """One point per region and period of the indicator: whole years (``partial`` False) or every other
    kind of period (``partial`` True), never both. Columns: POINT_COLUMNS."""
    rows = level_rows(category_rows(frame, category))
    rows = rows[(rows["measure"] == measure) & (rows["unit_family"] == unit_family)]
    rows = (
        rows[(rows["period_type"] != "year") & (rows["period_type"] != "none")]
        if partial
        else rows[rows["period_type"] == "year"]
    )
    if not include_derived:
        rows = rows[~rows["derived"]]
    rows = rows.assign(region_key=region_keys(rows))
    if regions:
        rows = rows[rows["region_key"].isin(regions)]
    if rows.empty:
        return pd.DataFrame(columns=POINT_COLUMNS)
    points = one_per_point(rows, ["region_key", "period_label"])
    return points[POINT_COLUMNS].sort_values(["region_key", "period_label"], ignore_index=True)


def change_points(frame: pd.DataFrame, category: str, measure: str, period_label: str) -> pd.DataFrame:
    """Each region's year-on-year change (%) of the indicator in one period, signed (a fall is negative).

    A change the report states wins; else one computed from two stated levels of the same kind of period a
    year apart. Columns: region_key, region, region_code, province_code, change_pct, computed, stat_id,
    doc_id, metric, sentence.
    """
    rows = category_rows(frame, category)
    rows = rows[(rows["measure"] == measure) & ~rows["derived"]]
    rows = rows.assign(region_key=region_keys(rows))
    stated = rows[
        (rows["kind"] == "change_pct")
        & (rows["basis"] == "yoy")
        & (rows["unit"] == "%")
        & rows["direction"].notna()
        & (rows["period_label"] == period_label)
    ]
    stated = stated.assign(
        change_pct=stated["value"].where(stated["direction"] != "down", -stated["value"]), computed=False
    )
    stated = stated.sort_values(["published", "start"], ascending=[False, True], na_position="last")
    stated = stated.drop_duplicates("region_key", keep="first")
    levels = level_rows(rows)
    previous = (
        str(period_label).replace(str(period_label)[:4], str(int(str(period_label)[:4]) - 1), 1)
        if str(period_label)[:4].isdigit()
        else ""
    )
    now = levels[levels["period_label"] == period_label].drop_duplicates("region_key")
    before = levels[levels["period_label"] == previous].drop_duplicates("region_key")
    joined = now.merge(
        before[["region_key", "value", "unit_family"]], on=["region_key", "unit_family"], suffixes=("", "_before")
    )
    joined = joined[(joined["value_before"] > 0) & ~joined["region_key"].isin(stated["region_key"])]
    computed = joined.assign(change_pct=(joined["value"] / joined["value_before"] - 1) * 100, computed=True)
    columns = [
        "region_key",
        "region",
        "region_code",
        "province_code",
        "change_pct",
        "computed",
        "stat_id",
        "doc_id",
        "metric",
        "sentence",
    ]
    both = (
        pd.concat([part[columns] for part in (stated, computed) if len(part)], ignore_index=True)
        if len(stated) or len(computed)
        else pd.DataFrame(columns=columns)
    )
    both = both.assign(
        **{
            c: both[c].astype("string")
            for c in ("region_key", "region", "region_code", "province_code", "stat_id", "doc_id", "metric")
        }
    )
    both["change_pct"] = both["change_pct"].astype("float64").round(2)
    return both.sort_values(["change_pct", "region_key"], ignore_index=True)


def change_tone(change_pct: pd.Series, rise: str) -> pd.Series:
    """good / bad / neutral for each change, by the measure's sign: a fall in cases is good, a fall in
    cases solved is bad, a measure with no sign (·) is neutral.

    >>> change_tone(pd.Series([-5.0, 3.0]), "-").tolist()
    ['good', 'bad']
    >>> change_tone(pd.Series([-5.0]), "+").tolist()
    ['bad']
    """
    if rise not in ("+", "-"):
        return pd.Series("neutral", index=change_pct.index, dtype="object")
    rising_is_good = rise == "+"
    good = (change_pct > 0) == rising_is_good
    tone = pd.Series("bad", index=change_pct.index, dtype="object").mask(good, "good")
    return tone.mask(change_pct == 0, "neutral")


def value_ranking(points: pd.DataFrame, period_label: str) -> pd.DataFrame:
    """The regions' values of one period, largest first (stated figures only when both exist)."""
    chosen = points[points["period_label"] == period_label]
    return chosen.sort_values(["value", "region_key"], ascending=[False, True], ignore_index=True)


def sources_of(frame: pd.DataFrame, stat_id: str) -> pd.DataFrame:
    """The stated statistics a point rests on: itself, or for a derived value its level and its change."""
    row = frame[frame["stat_id"] == stat_id]
    if row.empty:
        return row
    first = row.iloc[0]
    if not bool(first["derived"]):
        return row
    ids = [first["source_stat_id"], first["change_stat_id"]]
    return frame[frame["stat_id"].isin([i for i in ids if isinstance(i, str)])]


def rounded_like_source(points: pd.DataFrame) -> pd.Series:
    """Values as they are downloaded: stated values as stated, derived ones already rounded in prepare."""
    return points["value"].astype("float64")


def points_download(
    points: pd.DataFrame, *, category: str, category_label: str, measure: str, measure_label: str, lang: str
) -> pd.DataFrame:
    """A chart's points as a download: labels in the chosen language beside the keys, unit, period label,
    region code, source; derived values marked, each with its own id and the id it comes from."""
    if points.empty:
        return pd.DataFrame(
            columns=[
                "indicator",
                "category",
                "category_label",
                "measure",
                "measure_label",
                "region",
                "region_code",
                "period_label",
                "period_type",
                "value",
                "unit",
                "unit_family",
                "derived",
                "id",
                "source_id",
                "doc_id",
                "metric",
                "sentence",
            ]
        )
    return pd.DataFrame(
        {
            "indicator": indicator_label(category_label, measure_label, ""),
            "category": category,
            "category_label": category_label,
            "measure": measure,
            "measure_label": measure_label,
            "region": points["region"].astype("string"),
            "region_code": points["region_code"].astype("string"),
            "period_label": points["period_label"].astype("string"),
            "period_type": points["period_type"].astype("string"),
            "value": rounded_like_source(points),
            "unit": points["unit"].astype("string"),
            "unit_family": points["unit_family"].astype("string"),
            "derived": points["derived"].astype(bool),
            "id": points["stat_id"].astype("string"),
            "source_id": points["source_stat_id"].astype("string").where(points["derived"].astype(bool), pd.NA),
            "doc_id": points["doc_id"].astype("string"),
            "metric": points["metric"].astype("string"),
            "sentence": points["sentence"].astype("string"),
        }
    ).reset_index(drop=True)
