"""Indicators (category × measure, one unit) as the analyst's dashboard reads them: pure functions on the
prepared statistics (metrics.views.prepare), no Streamlit.

Only statistics of the area (``scope == "area"``) are charted. One point per region and period: a figure
the report states beats one derived from a year-on-year change; among stated figures the newest report's
first statement wins (the headline before its repeats), and the number of alternatives is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
MEASURES_PATH = HERE.parent / "patterns" / "measures.yaml"
PROVINCES_PATH = HERE / "provinces.yaml"
# Kinds of figure that are a level of something (a value a line can join); changes are read separately.
# A rate is a level only for the measures that are rates (破案率, 满意度); elsewhere it is a share of a whole.
LEVEL_KINDS = ("count", "amount", "quantity")
RATE_MEASURES = ("clearance_rate", "satisfaction")
# Unit families counted in whole numbers (their axes get integer ticks).
COUNT_FAMILIES = (
    "persons",
    "person_times",
    "cases",
    "times_done",
    "items",
    "places",
    "vehicle_times",
    "place_times",
    "起",
    "人",
    "件",
    "名",
    "宗",
    "个",
    "次",
    "人次",
)
POINT_COLUMNS = [
    "region_key",
    "region",
    "region_code",
    "province_code",
    "period_label",
    "period_type",
    "period",
    "value",
    "unit",
    "unit_family",
    "derived",
    "stat_id",
    "source_stat_id",
    "change_stat_id",
    "doc_id",
    "metric",
    "sentence",
    "surface",
    "published",
    "alternatives",
]


@dataclass(frozen=True)
class Measure:
    """One row of the measure table: its labels and whether a rise is good (+), bad (-) or neither (·)."""

    key: str
    zh: str
    en: str
    rise: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@lru_cache(maxsize=4)
def load_measures(path: Path = MEASURES_PATH) -> dict[str, Measure]:
    """The measure table (metrics/patterns/measures.yaml), in its order."""
    table = yaml.safe_load(path.read_text(encoding="utf-8"))["measures"]
    return {key: Measure(key, entry["zh"], entry["en"], str(entry.get("rise", "·"))) for key, entry in table.items()}


@lru_cache(maxsize=4)
def load_provinces(path: Path = PROVINCES_PATH) -> dict[str, dict]:
    """Province code (two digits) → names and tile position (metrics/views/provinces.yaml)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["provinces"]


def area_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The statistics of the area itself (scope area), the only ones charted."""
    return frame[frame["scope"] == "area"]


def category_rows(frame: pd.DataFrame, category: str) -> pd.DataFrame:
    """The area's statistics of one category."""
    return frame[(frame["scope"] == "area") & (frame["category"] == category)]


def level_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that are a level (count, amount, quantity; a rate of a rate measure) with a value."""
    level = frame["kind"].isin(LEVEL_KINDS) | ((frame["kind"] == "rate") & frame["measure"].isin(RATE_MEASURES))
    return frame[level & frame["value"].notna()]


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


def region_keys(frame: pd.DataFrame) -> pd.Series:
    """A region's key: its GB/T 2260 code, else its name."""
    code = frame["region_code"].astype("string").fillna("")
    return code.where(code != "", frame["region"].astype("string").fillna(""))


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
    ordered = rows.sort_values(
        ["derived", "published", "start"], ascending=[True, False, True], na_position="last", kind="stable"
    )
    group = ["region_key", "period_label"]
    alternatives = ordered.groupby(group, observed=True).size().rename("alternatives").reset_index()
    chosen = ordered.drop_duplicates(subset=group, keep="first")
    points = chosen.merge(alternatives, on=group, how="left")
    points = points.assign(
        **{
            c: points[c].astype("string")
            for c in (
                "region_key",
                "region",
                "region_code",
                "province_code",
                "period_label",
                "period_type",
                "unit",
                "unit_family",
                "doc_id",
                "metric",
            )
        }
    )
    return points[POINT_COLUMNS].sort_values(["region_key", "period_label"], ignore_index=True)


def period_bounds(label: str) -> tuple[dt.date, dt.date] | None:
    """First and last day a period label covers; None for an unknown form.

    >>> period_bounds("2024-H1")
    (datetime.date(2024, 1, 1), datetime.date(2024, 6, 30))
    >>> period_bounds("2024-01/2024-10")[1]
    datetime.date(2024, 10, 31)
    """

    def month_end(year: int, month: int) -> dt.date:
        return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)

    try:
        if "/" in label:
            start, end = label.split("/")
            if len(start) == 10:
                return dt.date.fromisoformat(start), dt.date.fromisoformat(end)
            return (dt.date(int(start[:4]), int(start[5:7]), 1), month_end(int(end[:4]), int(end[5:7])))
        year = int(label[:4])
        if len(label) == 4:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        part = label[5:]
        if part.startswith("H"):
            half = int(part[1])
            return dt.date(year, 6 * half - 5, 1), month_end(year, 6 * half)
        if part.startswith("Q"):
            quarter = int(part[1])
            return dt.date(year, 3 * quarter - 2, 1), month_end(year, 3 * quarter)
        return dt.date(year, int(part), 1), month_end(year, int(part))
    except (ValueError, IndexError):
        return None


def period_end(labels: pd.Series) -> pd.Series:
    """The last day of each period (NaT for an unknown form), looked up once per distinct label."""
    ends = {label: (period_bounds(label) or (None, None))[1] for label in labels.dropna().unique()}
    return pd.to_datetime(labels.map(ends), errors="coerce")


def period_choices(frame: pd.DataFrame, category: str, measure: str) -> list[str]:
    """The periods the indicator has a figure or a change for: whole years newest first, then the rest."""
    rows = category_rows(frame, category)
    rows = rows[(rows["measure"] == measure) & (rows["period_type"] != "none")]
    labels = rows[["period_label", "period_type"]].astype("string").drop_duplicates()
    labels = labels.assign(whole=labels["period_type"] == "year").sort_values(
        ["whole", "period_label"], ascending=[False, False]
    )
    return labels["period_label"].tolist()


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


def headline_cards(frame: pd.DataFrame, region_key: str, category: str) -> pd.DataFrame:
    """For one region and category: per measure, the latest whole year with a stated level or change, its
    value, unit, change (%) and the trend of its whole-year values. Stated figures only."""
    rows = category_rows(frame, category)
    rows = rows[(rows["period_type"] == "year") & ~rows["derived"]]
    rows = rows[region_keys(rows) == region_key]
    # the few rows of one region: plain object columns make the per-measure steps below cheap
    rows = rows.assign(
        **{c: rows[c].astype(object) for c in rows.columns if isinstance(rows[c].dtype, pd.CategoricalDtype)}
    )
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
    cards = []
    for measure in measure_choices(rows, category) if len(rows) else []:
        own = rows[rows["measure"] == measure]
        levels = level_rows(own)
        changes = own[(own["kind"] == "change_pct") & (own["basis"] == "yoy") & own["direction"].notna()]
        years = sorted(set(levels["period_label"].astype(str)) | set(changes["period_label"].astype(str)))
        if not years:
            continue
        latest = years[-1]
        level = levels[levels["period_label"] == latest].sort_values("start").head(1)
        change = changes[changes["period_label"] == latest].sort_values("start").head(1)
        family = str(level["unit_family"].iloc[0]) if len(level) else ""
        trend = levels[levels["unit_family"] == family].sort_values("start").drop_duplicates("period_label")
        trend = trend.sort_values("period_label")
        signed = (change["value"].where(change["direction"] != "down", -change["value"])).tolist()
        cards.append(
            {
                "measure": measure,
                "period_label": latest,
                "value": float(level["value"].iloc[0]) if len(level) else float("nan"),
                "unit": str(level["unit"].iloc[0]) if len(level) else "",
                "unit_family": family,
                "change_pct": float(signed[0]) if signed else float("nan"),
                "trend_years": [int(y) for y in trend["period_label"].astype(str)],
                "trend_values": trend["value"].astype(float).tolist(),
                "stat_id": str(level["stat_id"].iloc[0]) if len(level) else "",
                "change_stat_id": str(change["stat_id"].iloc[0]) if len(change) else "",
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
    ordered = rows.sort_values(
        ["derived", "published", "start"], ascending=[True, False, True], na_position="last", kind="stable"
    )
    group = ["measure", "region_key", "period_label"]
    alternatives = ordered.groupby(group, observed=True).size().rename("alternatives").reset_index()
    points = ordered.drop_duplicates(subset=group, keep="first").merge(alternatives, on=group, how="left")
    points = points.assign(
        **{
            c: points[c].astype("string")
            for c in (
                "measure",
                "region_key",
                "region",
                "region_code",
                "province_code",
                "period_label",
                "period_type",
                "unit",
                "unit_family",
                "doc_id",
                "metric",
            )
        }
    )
    order = {m: i for i, m in enumerate(measure_choices(frame, category))}
    points = points.assign(order=points["measure"].map(order)).sort_values(["order", "region_key", "period_label"])
    return points[[*POINT_COLUMNS, "measure"]].reset_index(drop=True)


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


def coverage(frame: pd.DataFrame, documents: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """What the store holds: a summary (reports, regions, years, period types, latest update) and one row
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
        "years": (years[0], years[-1]) if years else None,
        "period_types": stated["period_type"].astype("string").value_counts().to_dict(),
        "latest_update": None if added.dropna().empty else added.max().strftime("%Y-%m-%d %H:%M"),
    }
    return summary, table


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


def is_count_unit(unit_family: str) -> bool:
    """Whether values of this unit family are whole counts (integer axis ticks)."""
    return unit_family in COUNT_FAMILIES


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


def busiest_regions(points: pd.DataFrame, limit: int) -> tuple[str, ...]:
    """The ``limit`` regions with the most points (then by key): what a chart shows when the user chose no
    region (more lines than that cannot be read)."""
    if points.empty:
        return ()
    counts = points.groupby("region_key", observed=True).size().reset_index(name="n")
    counts = counts.sort_values(["n", "region_key"], ascending=[False, True])
    return tuple(str(k) for k in counts["region_key"].head(limit))


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


def category_slice(frame: pd.DataFrame, category: str) -> pd.DataFrame:
    """The area statistics of one category with the columns the views read: what every chart of that
    category starts from (the page caches it per store version and category, so that a change of measure,
    region or period works on this slice, not on every statistic)."""
    rows = category_rows(frame, category)
    return rows[[c for c in SLICE_COLUMNS if c in rows.columns]]


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
