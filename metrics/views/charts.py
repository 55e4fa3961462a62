"""Each chart's data (a small DataFrame, exactly what its download holds) and its Plotly figure.

Rules every chart keeps: values are never added across different metrics, units or regions (a bar is a
stated figure, or a count of statements); partial periods keep their own label; derived values are drawn
in their own, hatched style.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.colors
import plotly.graph_objects as go

from metrics.views.strings import UiStrings

CHANGE_LIMIT = 30  # the diverging chart shows at most this many changes, the largest first
TREND_CHOICE_LIMIT = 200
TREND_KINDS = ("count", "amount", "quantity", "rate")
TREND_REGION_LIMIT = 8  # regions drawn side by side in the trend chart, those with the most figures


def safe_label(text: object) -> str:
    """Text for a Plotly label, escaped (Plotly reads labels as a subset of HTML)."""
    return html.escape("" if text is None or text is pd.NA else str(text), quote=False)


def period_labels(data: pd.DataFrame, strings: UiStrings) -> pd.Series:
    """Axis labels for periods: '2024', '2024-H1（非全年）' for a partial period, '年份不明' when unknown."""
    suffix = f" ({strings.text('partial')})"
    shown = data["period_display"].where(data["period_display"] != "", strings.text("no_year"))
    return shown.where(~data["is_partial"], shown + suffix)


def stated_only(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows a report states (derived rows left out), only ``columns`` when given (cheaper on big frames)."""
    return frame.loc[~frame["derived"], columns if columns is not None else frame.columns]


def as_text(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with ``columns`` as plain text (categoricals decoded): for the few rows a chart shows."""
    return frame.astype({c: str for c in columns if c in frame.columns})


def category_year_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Number of stated statistics per category and period (partial periods apart from whole years)."""
    stated = stated_only(frame, ["category", "period_display"])
    counts = stated.groupby(["category", "period_display"], observed=True).size().reset_index(name="statistics")
    display = counts["period_display"].astype(str)
    counts["period_display"] = display
    counts["category"] = counts["category"].astype(str)
    counts["period"] = pd.to_numeric(display.str.slice(0, 4), errors="coerce").astype("Int64")
    counts["is_partial"] = display.str.len() > 4
    counts = counts[["category", "period", "period_display", "is_partial", "statistics"]]
    return counts.sort_values(["period", "period_display", "category"], na_position="last").reset_index(drop=True)


YOY_COLUMNS = ["stat_id", "doc_id", "category", "metric", "region", "period_display", "is_partial", "direction"]


def yoy_changes(frame: pd.DataFrame) -> pd.DataFrame:
    """Every stated year-on-year % change, signed (down → negative), with what and where it describes."""
    wanted = ~frame["derived"] & (frame["kind"] == "change_pct") & (frame["basis"] == "yoy") & (frame["unit"] == "%")
    changes = frame.loc[wanted, [*YOY_COLUMNS, "value"]]
    sign = (changes["direction"] == "down").map({True: -1.0, False: 1.0}).astype("float64")
    return changes.drop(columns="value").assign(change_pct=changes["value"] * sign)


def largest_changes(changes: pd.DataFrame, limit: int = CHANGE_LIMIT) -> pd.DataFrame:
    """The ``limit`` changes largest in size, ordered by category then change (what the chart draws)."""
    top = changes.loc[changes["change_pct"].abs().nlargest(limit, keep="first").index]
    top = as_text(top, ("stat_id", "doc_id", "category", "metric", "region", "period_display", "direction"))
    return top.sort_values(["category", "change_pct"], kind="stable").reset_index(drop=True)


def trend_choices(frame: pd.DataFrame, limit: int = TREND_CHOICE_LIMIT) -> pd.DataFrame:
    """(metric, unit, kind) combinations that can have a trend, most often stated first."""
    wanted = ~frame["derived"] & frame["kind"].isin(TREND_KINDS) & (frame["metric"] != "")
    levels = frame.loc[wanted, ["metric", "unit", "kind"]]
    counts = levels.groupby(["metric", "unit", "kind"], observed=True).size().reset_index(name="statistics")
    counts = counts.sort_values("statistics", ascending=False, kind="stable").head(limit)
    return as_text(counts, ("metric", "unit", "kind")).reset_index(drop=True)


TREND_COLUMNS = [
    "region",
    "period",
    "period_display",
    "is_partial",
    "derived",
    "metric",
    "unit",
    "value",
    "qualifier",
    "doc_id",
    "stat_id",
    "published",
]


def metric_trend(
    frame: pd.DataFrame, metric: str, unit: str, kind: str, region_limit: int = TREND_REGION_LIMIT
) -> pd.DataFrame:
    """One metric in one unit across periods, one value per region, period and stated/derived.

    Where several reports give the same figure, the most recently published one is kept; regions are
    kept side by side, never summed (at most ``region_limit``, those with the most figures).
    """
    rows = frame.loc[(frame["metric"] == metric) & (frame["unit"] == unit) & (frame["kind"] == kind), TREND_COLUMNS]
    rows = as_text(rows, ("region", "metric", "unit", "doc_id", "period_display", "stat_id"))
    top_regions = rows["region"].value_counts().index[:region_limit]
    rows = rows[rows["region"].isin(top_regions)]
    rows = rows.sort_values("published", na_position="first", kind="stable")
    latest = rows.drop_duplicates(subset=["region", "period_display", "derived"], keep="last")
    ordered = latest.sort_values(["period", "period_display", "region", "derived"], na_position="last")
    return ordered.reset_index(drop=True)


def headline_figures(frame: pd.DataFrame, limit: int = 4) -> pd.DataFrame:
    """Stated levels that come with a yoy % change, newest period first, one per metric and region."""
    columns = [
        "metric",
        "region",
        "period",
        "period_display",
        "is_partial",
        "value",
        "unit",
        "yoy_change_pct",
        "doc_id",
        "stat_id",
    ]
    paired = frame.loc[~frame["derived"] & frame["yoy_change_pct"].notna(), columns]
    paired = paired.sort_values(["period", "value"], ascending=[False, False], na_position="last", kind="stable")
    top = as_text(
        paired.drop_duplicates(subset=["metric", "region"]).head(limit),
        ("metric", "region", "unit", "doc_id", "period_display", "stat_id"),
    )
    return top.drop(columns="period").reset_index(drop=True)


def chart_title(title: str, filters_text: str) -> str:
    """A two-line Plotly title: what the chart shows, then the filters applied (escaped)."""
    return f"{safe_label(title)}<br><sup>{safe_label(filters_text)}</sup>"


def category_year_figure(data: pd.DataFrame, strings: UiStrings, title: str) -> go.Figure:
    """Grouped bars: number of statistics per period, one bar per category."""
    colours = strings.category_colours()
    labelled = data.assign(x=period_labels(data, strings))
    figure = go.Figure()
    for category, rows in labelled.groupby("category", sort=False):
        figure.add_bar(
            x=rows["x"],
            y=rows["statistics"],
            name=safe_label(strings.category(category)),
            marker_color=colours.get(category, "#888888"),
        )
    figure.update_layout(
        title=title,
        barmode="group",
        xaxis_title=strings.text("axis_year"),
        yaxis_title=strings.text("axis_count"),
        xaxis_type="category",
        legend_title_text="",
        xaxis={"categoryorder": "array", "categoryarray": list(dict.fromkeys(labelled["x"]))},
    )
    return figure


def change_labels(data: pd.DataFrame, strings: UiStrings) -> pd.Series:
    """Bar labels for changes: '毒品 drugs · 刑事打处 · 苍南县 2024'."""
    periods = period_labels(data, strings)
    categories = data["category"].map(strings.category)
    labels = categories + " · " + data["metric"] + " · " + data["region"].replace("<NA>", "") + " " + periods
    repeated = labels.duplicated(keep=False)
    number = labels.groupby(labels).cumcount() + 1
    return labels.where(~repeated, labels + " (" + number.astype(str) + ")")


def yoy_figure(data: pd.DataFrame, strings: UiStrings, title: str) -> go.Figure:
    """Diverging horizontal bars: rises to the right in one colour, falls to the left in another."""
    colours = strings.direction_colours()
    labelled = data.assign(y=change_labels(data, strings).map(safe_label))
    figure = go.Figure()
    for direction, rows in ((d, labelled[(labelled["change_pct"] >= 0) == (d == "up")]) for d in ("up", "down")):
        figure.add_bar(
            y=rows["y"],
            x=rows["change_pct"],
            orientation="h",
            name=strings.text(direction),
            marker_color=colours[direction],
        )
    figure.add_vline(x=0, line_width=2, line_color="#333333")
    figure.update_layout(
        title=title,
        barmode="relative",
        xaxis_title=strings.text("axis_change"),
        yaxis={"categoryorder": "array", "categoryarray": labelled["y"].tolist(), "automargin": True},
        height=max(360, 24 * len(labelled) + 160),
        legend_title_text="",
    )
    return figure


def trend_figure(data: pd.DataFrame, strings: UiStrings, title: str) -> go.Figure:
    """Bars per period, regions side by side; derived values hatched and pale, partial periods labelled."""
    labelled = data.assign(x=period_labels(data, strings))
    figure = go.Figure()
    palette = plotly.colors.qualitative.Plotly
    colours = {region: palette[i % len(palette)] for i, region in enumerate(sorted(labelled["region"].unique()))}
    for (region, derived), rows in labelled.groupby(["region", "derived"], sort=True):
        status = strings.text("derived") if derived else strings.text("stated")
        figure.add_bar(
            x=rows["x"],
            y=rows["value"],
            name=safe_label(f"{region} ({status})"),
            marker_color=colours[region],
            opacity=0.45 if derived else 1.0,
            marker_pattern_shape="/" if derived else "",
        )
    figure.update_layout(
        title=title,
        barmode="group",
        xaxis_title=strings.text("axis_year"),
        yaxis_title=strings.text("axis_value"),
        xaxis_type="category",
        legend_title_text="",
        xaxis={"categoryorder": "array", "categoryarray": list(dict.fromkeys(labelled["x"]))},
    )
    return figure
