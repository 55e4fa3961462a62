"""What each panel of the page shows, assembled from the prepared statistics: a chart's points and its
download, the places view's rankings and tile map, the headline cards, the tables, a document with its
highlights, the statistic a correction is about. Pure functions, no Streamlit: the page only lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from metrics.views.figures import format_value, tile_map_figure
from metrics.views.indicators import (
    busiest_regions,
    category_multiples,
    change_points,
    change_tone,
    coverage,
    indicator_points,
    load_measures,
    load_provinces,
    period_choices,
    points_download,
    region_keys,
    resolve_indicator,
    tile_grid,
    value_ranking,
)
from metrics.views.labels import figure_labels, indicator_title, measure_name
from metrics.views.strings import UiStrings
from metrics.views.text import category_legend_html, display_table, document_html, plain

TABLE_COLUMNS = [
    "period_display",
    "region",
    "category",
    "measure",
    "metric",
    "value",
    "unit",
    "evidence",
    "kind",
    "scope",
    "derived",
    "corrected",
    "published",
    "doc_id",
    "stat_id",
]
REVIEW_COLUMNS = ["evidence", "category", "measure", "metric", "value", "unit", "period_display", "scope"]
SOURCE_COLUMNS = ["evidence", "doc_id", "metric", "value", "unit", "period_display", "stat_id"]
COVERAGE_COLUMNS = [
    "doc_id",
    "region",
    "region_code",
    "published",
    "periods",
    "statistics",
    "charted",
    "ingested_at",
    "source",
]
DISAGREEMENT_SHOWN = [
    "region_code",
    "period_label",
    "category",
    "measure",
    "what",
    "value_a",
    "doc_id_a",
    "sentence_a",
    "value_b",
    "derived_from_b",
    "doc_id_b",
    "sentence_b",
]
HEADLINE_CARDS = 4  # cards shown side by side


# ------------------------------------------------------------------------------------------ charts
def chart_points(
    rows: pd.DataFrame,
    category: str,
    choice: str,
    regions: tuple[str, ...],
    *,
    partial: bool,
    derived: bool,
    limit: int,
) -> tuple[pd.DataFrame, str, str, str]:
    """The indicator chart's points for one filter state and the indicator's (measure, unit family, unit).
    With no region chosen, only the ``limit`` busiest regions are drawn."""
    measure, family, unit = resolve_indicator(rows, category, choice)
    points = indicator_points(rows, category, measure, family, regions, partial=partial, include_derived=derived)
    if not regions:
        points = points[points["region_key"].isin(busiest_regions(points, limit))]
    return points, measure, family, unit


def indicator_periods(rows: pd.DataFrame, category: str, choice: str) -> list[str]:
    """The periods an indicator choice has a figure or a change for (the places view's period picker)."""
    measure, _, _ = resolve_indicator(rows, category, choice)
    return period_choices(rows, category, measure)


def multiples_points(
    rows: pd.DataFrame, category: str, regions: tuple[str, ...], *, derived: bool, limit: int
) -> pd.DataFrame:
    """The small multiples' points: the ``limit`` busiest regions when none is chosen, derived values
    only when asked for."""
    points = category_multiples(rows, category, regions)
    if not regions:
        points = points[points["region_key"].isin(busiest_regions(points, limit))]
    if not derived:
        points = points[~points["derived"].astype(bool)]
    return points


def labelled_download(points: pd.DataFrame, category: str, measure: str, strings: UiStrings) -> pd.DataFrame:
    """A chart's points as a download, with the category's and measure's labels in the chosen language."""
    return points_download(
        points,
        category=category,
        category_label=strings.category_name(category),
        measure=measure,
        measure_label=measure_name(measure, strings),
        lang=strings.lang,
    )


def multiples_download(points: pd.DataFrame, category: str, strings: UiStrings) -> pd.DataFrame:
    """The small multiples' points as one download, measure after measure."""
    frames = [labelled_download(own, category, m, strings) for m, own in points.groupby("measure")]
    return pd.concat(frames, ignore_index=True)


def disagreements_for(flagged: pd.DataFrame, category: str, measure: str, points: pd.DataFrame) -> pd.DataFrame:
    """The disagreements about the points a chart draws: its category and measure, its regions."""
    return flagged[
        (flagged["category"] == category)
        & (flagged["measure"] == measure)
        & flagged["region_code"].isin(set(points["region_key"].astype(str)))
    ]


def disagreement_table(flagged: pd.DataFrame, strings: UiStrings) -> pd.DataFrame:
    """The disagreements as shown: both values and both sentences, category and kind in words."""
    table = flagged[DISAGREEMENT_SHOWN].copy()
    table["category"] = table["category"].map(strings.category_name)
    table["what"] = table["what"].map(lambda w: strings.text(f"disagree_{w.replace('/', '_')}"))
    return plain(table)


# ------------------------------------------------------------------------------------------ places
@dataclass(frozen=True)
class Places:
    """The places view of one indicator and period: regions ranked by value and by change, each change's
    tone (good, bad, neutral), the title the three charts share."""

    title: str
    measure: str
    family: str
    unit: str
    rise: str
    ranking: pd.DataFrame
    changes: pd.DataFrame
    tones: pd.Series


def places_panel(
    rows: pd.DataFrame, category: str, choice: str, period: str, derived: bool, strings: UiStrings
) -> Places:
    """The places view's data: a whole year ranks the years' values, any other period the partial ones."""
    measure, family, unit = resolve_indicator(rows, category, choice)
    entry = load_measures().get(measure)
    rise = entry.rise if entry else "·"
    partial = not str(period).isdigit()
    points = indicator_points(rows, category, measure, family, partial=partial, include_derived=derived)
    changes = change_points(rows, category, measure, period)
    return Places(
        title=f"{indicator_title(category, measure, unit, strings)} · {period}",
        measure=measure,
        family=family,
        unit=unit,
        rise=rise,
        ranking=value_ranking(points, period),
        changes=changes,
        tones=change_tone(changes["change_pct"], rise),
    )


def changes_download(places: Places, category: str, period: str, strings: UiStrings) -> pd.DataFrame:
    """The year-on-year changes as a download: each with its tone and the indicator's keys and labels."""
    return places.changes.assign(
        tone=places.tones.to_numpy(),
        category=category,
        category_label=strings.category_name(category),
        measure=places.measure,
        measure_label=measure_name(places.measure, strings),
        period_label=period,
    )


def tile_figure(places: Places, strings: UiStrings) -> go.Figure:
    """The provinces' tile map: coloured by change where there are changes, else by value."""
    provinces, labels = load_provinces(), figure_labels(strings)
    if len(places.changes):
        tiles = tile_grid(places.changes, "change_pct", provinces, strings.lang)
        tones = change_tone(tiles["change_pct"].fillna(0), places.rise)
        title = f"{strings.text('chart_tiles')} · {places.title}"
        return tile_map_figure(tiles, "change_pct", tones, title=title, labels=labels, suffix="%")
    tiles = tile_grid(places.ranking, "value", provinces, strings.lang)
    title = f"{strings.text('chart_tiles_value')} · {places.title}"
    return tile_map_figure(tiles, "value", None, title=title, labels=labels)


# ------------------------------------------------------------------------------------------ cards
@dataclass(frozen=True)
class Card:
    """One headline card as st.metric draws it."""

    label: str
    value: str
    delta: str | None
    delta_color: str
    chart_data: list | None


def headline(cards: pd.DataFrame, strings: UiStrings, limit: int = HEADLINE_CARDS) -> list[Card]:
    """The first ``limit`` headline cards: value and unit (or that only a change is known), the change in
    per cent coloured by whether a rise is good, the trend when it has two points or more."""
    shown = []
    for card in cards.head(limit).itertuples(index=False):
        entry = load_measures().get(card.measure)
        rise = entry.rise if entry else "·"
        shown.append(
            Card(
                label=f"{measure_name(card.measure, strings)} · {card.period_label}",
                value=f"{format_value(card.value)} {card.unit}"
                if pd.notna(card.value)
                else strings.text("change_only"),
                delta=f"{card.change_pct:+.1f}%" if pd.notna(card.change_pct) else None,
                delta_color="normal" if rise == "+" else "inverse" if rise == "-" else "off",
                chart_data=card.trend_values if len(card.trend_values) > 1 else None,
            )
        )
    return shown


# ------------------------------------------------------------------------------------------ tables
def coverage_tables(
    stats: pd.DataFrame, documents: pd.DataFrame, strings: UiStrings
) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The coverage view's summary, its period kinds (kind in words, key, number of statistics) and its
    reports (the columns shown)."""
    summary, table = coverage(stats, documents)
    kinds = pd.DataFrame(
        {
            "period_type": [strings.text(f"period_{k}") for k in summary["period_types"]],
            "key": list(summary["period_types"]),
            "statistics": list(summary["period_types"].values()),
        }
    )
    return summary, kinds, table[COVERAGE_COLUMNS]


def table_rows(stats: pd.DataFrame, category: str, regions: tuple[str, ...]) -> pd.DataFrame:
    """The statistics of the category (every scope), of the chosen regions when there are any."""
    rows = stats[stats["category"] == category]
    if regions:
        rows = rows[region_keys(rows).isin(regions)]
    return rows


def statistics_table(rows: pd.DataFrame, columns: list[str], strings: UiStrings, headers: bool = False) -> pd.DataFrame:
    """Statistics as shown: the chosen columns with the figure marked in its sentence, the category in
    words; the columns' headers in the chosen language when ``headers``."""
    table = display_table(rows, columns)
    table["category"] = table["category"].map(strings.category_name)
    if headers:
        table.columns = [strings.column(c) for c in columns]
    return table


def document_highlights(document: Mapping, stats: pd.DataFrame, row: pd.Series, strings: UiStrings) -> tuple[str, str]:
    """A document as HTML with every statistic it states coloured by category, the chosen row's outlined,
    and the legend of the categories present: (legend, body)."""
    spans = stats.loc[(stats["doc_id"] == str(row["doc_id"])) & ~stats["derived"], ["start", "end", "category"]]
    colours, keys = strings.category_colours(), strings.category_keys()
    titles = {key: strings.category(key) for key in keys}
    selected = None if pd.isna(row["start"]) else int(row["start"])
    body = document_html(str(document.get("text") or ""), spans, colours, titles, selected_start=selected)
    present = [key for key in keys if key in set(spans["category"].astype(str))]
    return category_legend_html(present, colours, titles), body


# ------------------------------------------------------------------------------------------ corrections
@dataclass(frozen=True)
class Target:
    """The statistic a correction is about: its row id, its stable key (what the log names), and the
    fields a correction compares with what the viewer saw."""

    stat_id: str
    stat: str
    current: dict


def correction_target(row: pd.Series) -> Target:
    """A chosen table row as the target of a correction (its stat_key, else its stat_id)."""
    stat_id = str(row["stat_id"])
    stat = str(row["stat_key"]) if "stat_key" in row.index and pd.notna(row["stat_key"]) else stat_id
    period = int(row["period"]) if pd.notna(row["period"]) else None
    current = {"deleted": False, "category": row["category"], "value": row["value"], "period": period}
    return Target(stat_id, stat, current)
