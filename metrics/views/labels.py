"""The words the page shows that are built from the string table and the data: the labels figures need,
measure and indicator names, captions, summaries and messages. Pure functions of UiStrings
(metrics.views.strings), no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from metrics.errors import StoreProblem
from metrics.views.choices import indicator_label
from metrics.views.figures import format_value
from metrics.views.rows import load_measures
from metrics.views.strings import UiStrings
from metrics.views.text import escape_md

FIGURE_LABEL_KEYS = (
    "derived",
    "source",
    "alternatives",
    "axis_period",
    "axis_value",
    "axis_change",
    "computed",
    "no_figure",
)
PERIOD_KINDS = ("year", "half", "quarter", "month", "months", "days", "none")


def figure_labels(strings: UiStrings) -> dict[str, str]:
    """The words figures need (metrics.views.figures), in the chosen language."""
    out = {key: strings.text(key) for key in FIGURE_LABEL_KEYS}
    out.update({f"period_{p}": strings.text(f"period_{p}") for p in PERIOD_KINDS})
    return out


def measure_name(measure: str, strings: UiStrings) -> str:
    """A measure key as its label in the chosen language; an unknown key as itself."""
    entry = load_measures().get(measure)
    return entry.label(strings.lang) if entry else measure


def choice_label(choice: str, unit: str, strings: UiStrings) -> str:
    """An indicator choice in the measure picker: its measure's name, with its unit when the measure is
    stated in several units (``measure/family``)."""
    measure, _, family = choice.partition("/")
    return measure_name(measure, strings) + (f" ({unit})" if family else "")


def indicator_title(category: str, measure: str, unit: str, strings: UiStrings) -> str:
    """A chart's title: '电信网络诈骗 · 破案 (起)'."""
    return indicator_label(strings.category_name(category), measure_name(measure, strings), unit)


def multiples_titles(points: pd.DataFrame, strings: UiStrings) -> dict[str, str]:
    """Each measure of the small multiples → its panel's title, name and unit: '破案 (起)'."""
    units = points.groupby("measure")["unit"].first().to_dict()
    return {m: f"{measure_name(m, strings)} ({units.get(m, '')})" for m in points["measure"].unique()}


def region_names(regions: pd.DataFrame) -> dict[str, str]:
    """Region key → name, from the region choices (metrics.views.choices.region_choices)."""
    return dict(zip(regions["region_key"], regions["region"]))


def region_label(key: str, names: Mapping[str, str]) -> str:
    """A region in the region picker: its name and key ('厦门市 350200'); the key alone when it is its name."""
    return f"{names.get(key, key)} {key}" if key != names.get(key) else key


def store_problem_message(problem: StoreProblem, db: str, strings: UiStrings) -> str:
    """What to say (and what to run) when the store is missing, busy, short of memory or broken."""
    if problem.kind == "missing":
        return strings.text("store_missing", db=db)
    if problem.kind == "busy":
        return strings.text("store_busy", reason=problem.reason)
    if problem.kind == "memory":  # the file is whole: no rebuild to offer
        return strings.text("store_memory", reason=problem.reason)
    return strings.text("store_broken", db=db, reason=problem.reason)


def indicator_caption(partial: bool, strings: UiStrings) -> str:
    """The note under the indicator chart, with the partial periods' note when those are drawn."""
    return strings.text("indicator_note") + (" " + strings.text("partial_periods_note") if partial else "")


def headline_markdown(region_name: str, category: str, strings: UiStrings) -> str:
    """The headline cards' heading in bold, the region's name escaped (it comes from reports)."""
    return (
        f"**{escape_md(strings.text('headline_for', region=region_name, category=strings.category_name(category)))}**"
    )


def table_caption(total: int, shown: int, strings: UiStrings) -> str:
    """How many statistics the table holds and how many it shows."""
    return strings.text("table_caption", total=f"{total:,}", shown=f"{shown:,}")


def coverage_summary(summary: dict, strings: UiStrings) -> str:
    """One sentence on what the store holds (metrics.views.overviews.coverage's summary)."""
    years = f"{summary['years'][0]}–{summary['years'][1]}" if summary["years"] else "—"
    # the summary's counts fill the placeholders of the same names; the sentence names only what it needs
    return strings.text("coverage_summary", **{**summary, "years": years, "latest": summary["latest_update"] or "—"})


def document_address(document: Mapping, missing: str = "—") -> str:
    """Where a document came from: its source address, else its path, else ``missing``."""
    return document.get("source") or document.get("path") or missing


def point_summary(chosen: Mapping) -> str:
    """The chosen point in one line: region · period · value unit."""
    return f"{chosen['region']} · {chosen['period_display']} · {format_value(chosen['value'])} {chosen['unit']}"


def source_lines(evidence: str, doc_id: str, published: str | None, document: Mapping, strings: UiStrings) -> list[str]:
    """A source of the chosen point: its sentence (figure marked), then its report, date and address."""
    return [
        f"{strings.text('source_sentence')}: {evidence}",
        f"{strings.text('source_report')}: {doc_id} ({published or '—'}) · "
        f"{strings.text('source_address')}: {document_address(document)}",
    ]


def undo_label(correction, strings: UiStrings) -> str:
    """An undo button's label, escaped for markdown (the value comes from a viewer)."""
    return escape_md(
        f"{strings.text('undo')} #{correction.id}: {correction.stat_id} {correction.field} → {correction.value}"
    )


def review_message(key: str, values: Mapping, strings: UiStrings) -> str:
    """An import's outcome (a string-table key and its values) as a message, escaped for markdown."""
    return escape_md(strings.text(key, **{k: v for k, v in values.items() if k != "content_hash"}))
