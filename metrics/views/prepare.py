"""Statistics as the dashboard draws them: de-duplicated, with display periods and derived previous years.

Everything here runs once per store version (the dashboard caches it); filters then only slice the result.
All of it is vectorised: no Python loop over rows.
"""

from __future__ import annotations

import pandas as pd

from metrics.record import COLUMNS

# A figure is "the same figure stated twice" when all of these agree within one report.
SAME_FIGURE = (
    "doc_id",
    "metric",
    "category",
    "kind",
    "value",
    "unit",
    "qualifier",
    "direction",
    "basis",
    "period",
    "period_label",
)
# Kinds whose previous-year value can be derived from a percentage change of the same metric.
LEVEL_KINDS = ("count", "amount", "quantity")
# Text columns stored as categoricals: filtering and grouping on codes is what keeps 1M rows fast.
CATEGORICAL = (
    "doc_id",
    "region",
    "metric",
    "category",
    "kind",
    "unit",
    "direction",
    "basis",
    "period_display",
    "measure",
    "scope",
    "region_code",
    "province_code",
    "unit_family",
    "period_label",
    "period_type",
)
# The kinds of period a label names (SCHEMA v2 period_label), matched in this order; anything else is "none".
PERIOD_TYPES = (
    ("year", r"^\d{4}$"),
    ("half", r"^\d{4}-H[12]$"),
    ("quarter", r"^\d{4}-Q[1-4]$"),
    ("month", r"^\d{4}-\d{2}$"),
    ("months", r"^\d{4}-\d{2}/\d{4}-\d{2}$"),
    ("days", r"^\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}$"),
)
YEAR_IN_LABEL = r"(?<!\d)(\d{4})(?!\d)"
# The join between a level and its change: same report, same metric, same period.
PAIR_KEY = ["doc_id", "metric", "period", "period_label"]


def complete_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column the dashboard reads (stat_id, COLUMNS, corrected), missing ones filled."""
    full = frame.copy()
    if "stat_id" not in full:
        full["stat_id"] = [
            f"{d}:{a}:{b}#{i}" for i, (d, a, b) in enumerate(zip(full["doc_id"], full["start"], full["end"]))
        ]
    if "corrected" not in full:
        full["corrected"] = False
    for column in COLUMNS:
        if column not in full:
            full[column] = None
    full["corrected"] = full["corrected"].fillna(False).astype(bool)
    full["value"] = pd.to_numeric(full["value"], errors="coerce").astype("float64")
    full["period"] = pd.to_numeric(full["period"], errors="coerce").astype("Int64")
    full["stat_id"] = full["stat_id"].astype("string")
    return full[["stat_id", *COLUMNS, "corrected"]]


def drop_repeated_figures(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the first statement of a figure stated more than once in one report (headline and body)."""
    ordered = frame.sort_values(["doc_id", "start"], kind="stable")
    return ordered.drop_duplicates(subset=list(SAME_FIGURE), keep="first")


def period_types(labels: pd.Series) -> pd.Series:
    """The kind of period of each label: year, half, quarter, month, months, days, or none.

    >>> period_types(pd.Series(["2024", "2024-H1", "2024-01/2024-10", None])).tolist()
    ['year', 'half', 'months', 'none']
    """
    text = labels.astype("string").fillna("")
    kinds = pd.Series("none", index=labels.index, dtype="object")
    for name, pattern in reversed(PERIOD_TYPES):
        kinds = kinds.mask(text.str.match(pattern), name)
    return kinds


def add_display_period(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``period_type``, ``is_partial`` (anything but a whole year) and ``period_display`` (the label, or
    the year where a report of the old schema gave none)."""
    labelled = frame.copy()
    label = labelled["period_label"].astype("string").fillna("")
    year = pd.to_numeric(labelled["period"], errors="coerce").astype("Int64").astype("string").fillna("")
    if not label.str.match(r"^\d{4}$").any():
        # a store of the old schema labels only parts of years: there an empty label with a year is that year
        label = label.where(label != "", year)
    labelled["period_type"] = period_types(label)
    labelled["is_partial"] = labelled["period_type"] != "year"
    labelled["period_label"] = label.where(label != "", pd.NA)
    labelled["period_display"] = label.where(label != "", year).astype(str)
    return labelled


def add_place_and_unit(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``province_code`` (the first two digits of a six-digit region code; '' for the whole country or
    none) and ``unit_family`` (unit_norm, else the unit as written)."""
    placed = frame.copy()
    code = placed["region_code"].astype("string").fillna("")
    valid = code.str.match(r"^\d{6}$") & (code != "100000")
    placed["province_code"] = code.str.slice(0, 2).where(valid, "")
    norm = placed["unit_norm"].astype("string").fillna("")
    placed["unit_family"] = norm.where(norm != "", placed["unit"].astype("string").fillna(""))
    placed["scope"] = placed["scope"].astype("string").fillna("area")
    placed["measure"] = placed["measure"].astype("string").fillna("other")
    return placed


def significant_digits(values: pd.Series) -> pd.Series:
    """How many significant digits each stated value has (trailing zeros of a whole number do not count).

    >>> significant_digits(pd.Series([2129.0, 2441000.0, 7.8, 0.0])).tolist()
    [4, 4, 2, 1]
    """

    def digits(value: float) -> int:
        text = f"{abs(value):.10g}".replace(".", "").lstrip("0")
        text = text.rstrip("0") if "." not in f"{abs(value):.10g}" else text
        return max(1, len(text))

    return values.map(digits).astype("int64")


def round_significant(values: pd.Series, digits: pd.Series) -> pd.Series:
    """Each value rounded to its number of significant digits: 1974.95 to 4 digits is 1975.

    >>> round_significant(pd.Series([1974.9536178107605, 2370133.0]), pd.Series([4, 4])).tolist()
    [1975.0, 2370000.0]
    """
    out = [float(f"{v:.{d}g}") if pd.notna(v) else v for v, d in zip(values.tolist(), digits.tolist())]
    return pd.Series(out, index=values.index, dtype="float64")


def signed_change(frame: pd.DataFrame) -> pd.Series:
    """A change's value with its direction as a sign: down 7.1 → -7.1; no direction keeps the value."""
    sign = frame["direction"].astype("string").map({"down": -1.0}).fillna(1.0).astype("float64")
    return frame["value"] * sign


def pair_levels_with_changes(frame: pd.DataFrame) -> pd.DataFrame:
    """Each level (count, amount, quantity) joined to its year-on-year % change in the same report.

    Only unambiguous pairs: one level and one change for a (report, metric, period). ``frame`` has the
    columns of complete_columns(); the result has the level's columns plus ``change_pct`` (signed) and
    ``change_stat_id``.
    """
    named = frame[frame["metric"].astype("string").fillna("") != ""]
    levels = named[named["kind"].isin(LEVEL_KINDS)].drop_duplicates(subset=PAIR_KEY, keep=False)
    changes = named[
        (named["kind"] == "change_pct")
        & (named["basis"] == "yoy")
        & (named["unit"] == "%")
        & named["direction"].notna()
    ].drop_duplicates(subset=PAIR_KEY, keep=False)
    changes = pd.DataFrame(
        {
            **{k: changes[k] for k in PAIR_KEY},
            "change_pct": signed_change(changes),
            "change_stat_id": changes["stat_id"],
        }
    )
    return levels.merge(changes, on=PAIR_KEY, how="inner")


def derive_previous_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Previous-year rows derived from a level and its yoy change: 2129人 up 7.8% → about 1975 a year earlier.

    Derived rows keep the source row's evidence (stat_id, sentence), are marked ``derived`` and ``approx``,
    and never replace a stated figure. A fall of 100% or more has no previous value and gives no row.
    """
    pairs = pair_levels_with_changes(frame)
    pairs = pairs[pairs["change_pct"] > -100]
    derived = pairs.drop(columns=["change_pct", "change_stat_id"]).copy()
    exact = pairs["value"] / (1 + pairs["change_pct"] / 100)
    derived["value"] = round_significant(exact, significant_digits(pairs["value"]))
    derived["period"] = pairs["period"] - 1
    label = pairs["period_label"].astype("string")
    # every year in the label moves back one: 2024-H1 → 2023-H1, 2023-11-15/2024-01-31 → 2022-11-15/2023-01-31
    derived["period_label"] = label.str.replace(YEAR_IN_LABEL, lambda m: str(int(m.group(1)) - 1), regex=True)
    derived["source_stat_id"] = pairs["stat_id"]
    derived["change_stat_id"] = pairs["change_stat_id"]
    derived["stat_id"] = pairs["stat_id"].astype("string") + "~prev"
    derived["qualifier"] = "approx"
    derived["derived"] = True
    return derived


def prepare_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """The store's statistics ready to filter: complete, de-duplicated, derived rows added, sorted, categorical.

    Sorted newest report first, then by position in the report, so the first rows of any filter are a
    sensible sample to show.
    """
    stated = drop_repeated_figures(complete_columns(frame))
    stated = add_place_and_unit(stated).assign(derived=False)
    changes = pair_levels_with_changes(stated).set_index("stat_id")["change_pct"]
    stated["yoy_change_pct"] = stated["stat_id"].map(changes).astype("float64")
    derived = derive_previous_year(stated).assign(yoy_change_pct=float("nan"))
    stated = stated.assign(source_stat_id=pd.NA, change_stat_id=pd.NA)
    parts = [part for part in (stated, derived) if len(part)]
    both = pd.concat(parts, ignore_index=True) if parts else stated
    both = add_display_period(both)
    both["published"] = both["published"].astype("string")
    both[["source_stat_id", "change_stat_id"]] = both[["source_stat_id", "change_stat_id"]].astype("string")
    both = both.sort_values(
        ["published", "doc_id", "start", "derived"],
        ascending=[False, True, True, True],
        na_position="last",
        kind="stable",
    )
    for column in CATEGORICAL:
        both[column] = both[column].astype("string").astype("category")
    return both.reset_index(drop=True)
