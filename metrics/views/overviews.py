"""Overviews of the prepared statistics: one region's headline cards, a category's small multiples, the
province tiles, and what the store covers. Pure functions, no Streamlit.
"""

from __future__ import annotations

import pandas as pd

from metrics.views.choices import measure_choices
from metrics.views.rows import POINT_COLUMNS, category_rows, is_level, level_rows, one_per_point, region_keys

# the columns the cards read (each step below then copies a dozen columns, not the table's forty)
_CARD_INPUTS = [
    *("scope", "category", "kind", "measure", "value", "unit", "unit_family", "basis", "direction"),
    *("period_label", "start", "stat_id"),
]


def headline_cards(frame: pd.DataFrame, region_key: str, category: str) -> pd.DataFrame:
    """For one region and category: per measure, the latest whole year with a stated level or change, its
    value, unit, change (%) and the trend of its whole-year values. Stated figures only."""
    # one mask, then the region's key read on two columns only: one copy of the few rows kept, not three
    # copies of the category's rows (these cards cost ~120 ms per filter change at 1M statistics before)
    wanted = (frame["period_type"] == "year") & ~frame["derived"]
    wanted &= (frame["scope"] == "area") & (frame["category"] == category)
    keys = frame[["region_code", "region"]][wanted]
    rows = frame.loc[keys.index[(region_keys(keys) == region_key).to_numpy(dtype=bool)], _CARD_INPUTS]
    columns = [
        "measure",
        "period_label",
        "value",
        "unit",
        "unit_family",
        "change_pct",
        "trend_years",
        "trend_values",
        "stat_id",
        "change_stat_id",
    ]
    # the few rows of one region as plain records: each per-measure step below is then a list comprehension,
    # not a pandas copy (about 1 ms each, a dozen per measure)
    records = sorted(rows.astype(object).where(rows.notna(), None).to_dict("records"), key=lambda r: r["start"])
    cards = []
    for measure in measure_choices(rows, category) if records else []:
        own = [r for r in records if r["measure"] == measure]
        levels = [r for r in own if is_level(r["kind"], measure) and r["value"] is not None]
        changes = [r for r in own if r["kind"] == "change_pct" and r["basis"] == "yoy" and r["direction"] is not None]
        years = sorted({str(r["period_label"]) for r in levels + changes})
        if not years:
            continue
        latest = years[-1]
        level = next((r for r in levels if str(r["period_label"]) == latest), None)
        change = next((r for r in changes if str(r["period_label"]) == latest), None)
        family = str(level["unit_family"]) if level else ""
        trend = {}  # period label → its first level of the family (records are in text order)
        for r in levels:
            if str(r["unit_family"]) == family:
                trend.setdefault(str(r["period_label"]), float(r["value"]))
        signed = None if change is None else (-change["value"] if change["direction"] == "down" else change["value"])
        cards.append(
            {
                "measure": measure,
                "period_label": latest,
                "value": float(level["value"]) if level else float("nan"),
                "unit": str(level["unit"]) if level else "",
                "unit_family": family,
                "change_pct": float(signed) if signed is not None else float("nan"),
                "trend_years": [int(y) for y in sorted(trend)],
                "trend_values": [trend[y] for y in sorted(trend)],
                "stat_id": str(level["stat_id"]) if level else "",
                "change_stat_id": str(change["stat_id"]) if change else "",
            }
        )
    return pd.DataFrame(cards, columns=columns)


def category_multiples(frame: pd.DataFrame, category: str, regions: tuple[str, ...]) -> pd.DataFrame:
    """The whole-year values of every measure of a category for the regions (all regions when empty):
    one row per measure, region and year, each measure in its most common unit family (POINT_COLUMNS plus
    measure). The category's rows are narrowed once (year, regions), then split by measure."""
    rows = level_rows(category_rows(frame, category))
    counts = rows.groupby(["measure", "unit_family"], observed=True).size().reset_index(name="n")
    counts = counts[counts["n"] > 0].sort_values(["measure", "n", "unit_family"], ascending=[True, False, True])
    family_of = dict(
        zip(
            counts.drop_duplicates("measure")["measure"].astype(str),
            counts.drop_duplicates("measure")["unit_family"].astype(str),
        )
    )
    rows = rows[rows["period_type"] == "year"]
    rows = rows.assign(region_key=region_keys(rows))
    if regions:
        rows = rows[rows["region_key"].isin(regions)]
    pair = rows["measure"].astype("string") + "|" + rows["unit_family"].astype("string")
    rows = rows[pair.isin({f"{m}|{f}" for m, f in family_of.items()})]
    if rows.empty:
        return pd.DataFrame(columns=[*POINT_COLUMNS, "measure"])
    points = one_per_point(rows, ["measure", "region_key", "period_label"])
    order = {m: i for i, m in enumerate(measure_choices(frame, category))}
    points = points.assign(order=points["measure"].map(order)).sort_values(["order", "region_key", "period_label"])
    return points[[*POINT_COLUMNS, "measure"]].reset_index(drop=True)


def tile_grid(values: pd.DataFrame, column: str, provinces: dict[str, dict], lang: str) -> pd.DataFrame:
    """Every province as a tile (row, col, name) with ``column`` of its province-level figure (NaN where
    none). ``values`` holds one row per region with region_code; only codes ending in 0000 (a province
    itself) fill a tile: a city's figure is not its province's."""
    tiles = pd.DataFrame(
        [
            {
                "province_code": code,
                "name": entry["en" if lang == "en" else "zh"],
                "row": entry["row"],
                "col": entry["col"],
            }
            for code, entry in provinces.items()
        ]
    )
    codes = values["region_code"].astype("string").fillna("") if len(values) else pd.Series(dtype="string")
    own = values[codes.str.match(r"^\d{2}0000$")] if len(values) else values
    own = (
        own.assign(province_code=own["region_code"].astype("string").str.slice(0, 2))
        if len(own)
        else pd.DataFrame(columns=["province_code", column])
    )
    merged = tiles.merge(
        own[["province_code", column]].drop_duplicates("province_code"), on="province_code", how="left"
    )
    return merged


def coverage(frame: pd.DataFrame, documents: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """What the store holds: a summary (reports, regions, provinces, regions with three or more years of
    their own statistics, years, period types, latest update) and one row
    per report (region, code, published, added, periods, statistics, of which charted)."""
    stated = frame[~frame["derived"]]
    per_doc = (
        stated.groupby("doc_id", observed=True)
        .agg(
            statistics=("stat_id", "size"),
            charted=("scope", lambda s: int((s == "area").sum())),
            periods=("period_label", lambda s: ", ".join(sorted({str(x) for x in s.dropna() if str(x)})[:6])),
            region_code=("region_code", "first"),
        )
        .reset_index()
    )
    per_doc["doc_id"] = per_doc["doc_id"].astype("string")
    docs = documents.copy()
    docs["doc_id"] = docs["doc_id"].astype("string")
    table = docs.merge(per_doc, on="doc_id", how="left")
    table["statistics"] = table["statistics"].fillna(0).astype(int)
    table["charted"] = table["charted"].fillna(0).astype(int)
    years = sorted({int(p) for p in stated["period"].dropna()})
    added = pd.to_datetime(docs.get("ingested_at", pd.Series(dtype="object")), errors="coerce")
    summary = {
        "reports": int(len(docs)),
        "statistics": int(len(stated)),
        "charted": int((stated["scope"] == "area").sum()),
        "regions": int(region_keys(stated).replace("", pd.NA).dropna().nunique()),
        "provinces": int(stated["province_code"].replace("", pd.NA).dropna().nunique()),
        "regions_3y": regions_with_years(stated[stated["scope"] == "area"], 3),
        "years": (years[0], years[-1]) if years else None,
        "period_types": stated["period_type"].astype("string").value_counts().to_dict(),
        "latest_update": None if added.dropna().empty else added.max().strftime("%Y-%m-%d %H:%M"),
    }
    return summary, table


def regions_with_years(frame: pd.DataFrame, least: int) -> int:
    """How many regions have statistics of at least ``least`` different years (a series to chart)."""
    keys = region_keys(frame).replace("", pd.NA)
    years = pd.DataFrame({"region": keys, "year": frame["period"]}).dropna().drop_duplicates()
    return int((years.groupby("region").size() >= least).sum())
