"""The rows of the prepared statistics (metrics.views.prepare) that the indicators read, and the tables
that come with them: the measure table, the province tiles, periods as dates, units counted whole.

Only statistics of the area (``scope == "area"``) are charted.
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
# the columns of a point held as text (strings, not categories)
POINT_TEXT_COLUMNS = (
    "region_key region region_code province_code period_label period_type unit unit_family doc_id metric".split()
)


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


def is_level(kind: str, measure: str) -> bool:
    """Whether a statistic of this kind and measure is a level (the one-row form of level_rows)."""
    return kind in LEVEL_KINDS or (kind == "rate" and measure in RATE_MEASURES)


def level_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that are a level (count, amount, quantity; a rate of a rate measure) with a value."""
    level = frame["kind"].isin(LEVEL_KINDS) | ((frame["kind"] == "rate") & frame["measure"].isin(RATE_MEASURES))
    return frame[level & frame["value"].notna()]


def region_keys(frame: pd.DataFrame) -> pd.Series:
    """A region's key: its GB/T 2260 code, else its name."""
    code = frame["region_code"].astype("string").fillna("")
    return code.where(code != "", frame["region"].astype("string").fillna(""))


def is_count_unit(unit_family: str) -> bool:
    """Whether values of this unit family are whole counts (integer axis ticks)."""
    return unit_family in COUNT_FAMILIES


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


def one_per_point(rows: pd.DataFrame, group: list[str]) -> pd.DataFrame:
    """One statement per point (the rows of one ``group``): a stated figure before a derived one, then the
    newest report's first statement; with the number of ``alternatives``, the group's and text columns as
    strings."""
    ordered = rows.sort_values(
        ["derived", "published", "start"], ascending=[True, False, True], na_position="last", kind="stable"
    )
    alternatives = ordered.groupby(group, observed=True).size().rename("alternatives").reset_index()
    points = ordered.drop_duplicates(subset=group, keep="first").merge(alternatives, on=group, how="left")
    text = dict.fromkeys([*group, *POINT_TEXT_COLUMNS])
    return points.assign(**{c: points[c].astype("string") for c in text})
