"""Police statistics dashboard: layout only. ``streamlit run dashboard.py -- --db data/metrics.duckdb``.

The store path comes from ``--db`` after ``--``, else the METRICS_DB environment variable, else the
store's default. Filtering, aggregation, figures and downloads are plain functions in metrics/views/.
"""

from __future__ import annotations

import functools
import os
import sys

import pandas as pd
import streamlit as st

from metrics.views import data
from metrics.views.charts import (category_year_counts, category_year_figure, chart_title, headline_figures,
                                 largest_changes, metric_trend, trend_choices, trend_figure, yoy_changes,
                                 yoy_figure)
from metrics.views.export import XLSX_MIME, chart_csv, download_name, safe_for_display, table_csv, table_xlsx
from metrics.views.filters import FilterOptions, Filters, describe_filters, file_slug, filter_options, filter_statistics
from metrics.views.prepare import prepare_statistics
from metrics.views.strings import UiStrings, load_ui_strings
from metrics.views.text import category_legend_html, compact_number, display_table, document_html

TABLE_ROWS = 1000
TABLE_COLUMNS = ["period_display", "region", "category", "metric", "value", "unit", "evidence", "kind", "direction",
                 "derived", "corrected", "published", "doc_id", "stat_id"]
CORRECTABLE_FIELDS = ("category", "value", "period")


@st.cache_resource(max_entries=2, show_spinner=False)
def cached_statistics(db: str, version: str, category_order: tuple[str, ...]) -> tuple[pd.DataFrame, FilterOptions]:
    """The prepared statistics and filter options of one store version (read-only; shared by sessions)."""
    prepared = prepare_statistics(data.read_statistics(db))
    return prepared, filter_options(prepared, list(category_order))


@st.cache_data(max_entries=64, show_spinner=False)
def cached_document(db: str, version: str, doc_id: str) -> dict | None:
    """One document of one store version."""
    return data.read_document(db, doc_id)


@st.cache_resource(show_spinner=False)
def cached_strings(lang: str) -> UiStrings:
    """The string table in one language."""
    return load_ui_strings(lang)


def flash(kind: str, message: str) -> None:
    """Keep a message to show after the rerun that follows a change."""
    st.session_state["flash"] = (kind, message)


def show_flash() -> None:
    """Show (once) the message kept by flash()."""
    kind, message = st.session_state.pop("flash", (None, None))
    if kind:
        getattr(st, kind)(message)


def store_problem_message(problem: data.StoreProblem, db: str, strings: UiStrings) -> str:
    """What to tell the user (and what to run) when the store cannot be read."""
    if problem.kind == "missing":
        return strings.text("store_missing", db=db)
    if problem.kind == "busy":
        return strings.text("store_busy", reason=problem.reason)
    return strings.text("store_broken", db=db, reason=problem.reason)


def sidebar_filters(options: FilterOptions, strings: UiStrings) -> Filters:
    """The filter widgets (state in the URL) and the Filters they describe."""
    bar = st.sidebar
    bar.header(strings.text("filters"))
    categories = bar.multiselect(strings.text("filter_category"), options.categories, key="category",
                                 format_func=strings.category, bind="query-params",
                                 placeholder=strings.text("all"))
    years = None
    if options.year_range and options.year_range[0] < options.year_range[1]:
        low, high = bar.slider(strings.text("filter_years"), options.year_range[0], options.year_range[1],
                               value=options.year_range, key="years", bind="query-params")
        years = None if (low, high) == options.year_range else (int(low), int(high))
    regions = bar.multiselect(strings.text("filter_region"), options.regions, key="region", bind="query-params",
                             placeholder=strings.text("all"))
    kinds = bar.multiselect(strings.text("filter_kind"), options.kinds, key="kind", format_func=strings.kind,
                            bind="query-params", placeholder=strings.text("all"))
    search = bar.text_input(strings.text("filter_metric"), key="q", bind="query-params",
                            placeholder=strings.text("filter_metric_placeholder"))
    derived = bar.checkbox(strings.text("show_derived"), value=True, key="derived", bind="query-params")
    return Filters(categories=tuple(categories), years=years, regions=tuple(regions), kinds=tuple(kinds),
                   metric_search=search or "", include_derived=bool(derived))


def chart_download(frame: pd.DataFrame, what: str, filters: Filters, strings: UiStrings) -> None:
    """The CSV download of exactly one chart's data (no rerun)."""
    st.download_button(strings.text("download_csv"), functools.partial(chart_csv, frame),
                       file_name=download_name(what, file_slug(filters), "csv"), mime="text/csv",
                       key=f"download_{what}", on_click="ignore", icon=":material/download:")


def headline_cards(filtered: pd.DataFrame, strings: UiStrings) -> None:
    """Metric cards: stated figures that come with their year-on-year change."""
    cards = headline_figures(filtered)
    if cards.empty:
        return
    st.subheader(strings.text("headline"))
    for column, card in zip(st.columns(len(cards)), cards.itertuples(index=False)):
        period = f"{card.period_display} ({strings.text('partial')})" if card.is_partial else card.period_display
        column.metric(f"{card.metric} · {card.region} {period}", f"{compact_number(card.value)} {card.unit}",
                      delta=f"{card.yoy_change_pct:+.1f}%", delta_color="off", border=True)


def chart_section(key: str, title: str, chart_data: pd.DataFrame, figure, filters: Filters,
                  strings: UiStrings) -> None:
    """One chart with its download button, or the empty-chart note."""
    if chart_data.empty:
        st.subheader(title)
        st.info(strings.text("empty_chart"))
        return
    st.plotly_chart(figure, key=f"chart_{key}", width="stretch")
    chart_download(chart_data, key, filters, strings)


def charts_tab(filtered: pd.DataFrame, filters: Filters, strings: UiStrings) -> None:
    """Headline cards and the three charts, each titled with what it shows and the filters applied."""
    filters_text = describe_filters(filters, strings)
    headline_cards(filtered, strings)

    counts = category_year_counts(filtered)
    title = chart_title(strings.text("chart_category_year"), filters_text)
    chart_section("by-category-year", strings.text("chart_category_year"), counts,
                  category_year_figure(counts, strings, title), filters, strings)
    st.caption(strings.text("partial_note"))

    changes = yoy_changes(filtered)
    shown = largest_changes(changes)
    name = strings.text("chart_yoy")
    if len(changes) > len(shown):
        name += " — " + strings.text("chart_yoy_limit", shown=len(shown), total=len(changes))
    chart_section("yoy-changes", name, shown, yoy_figure(shown, strings, chart_title(name, filters_text)),
                  filters, strings)

    trend_tab(filtered, filters, filters_text, strings)


def trend_tab(filtered: pd.DataFrame, filters: Filters, filters_text: str, strings: UiStrings) -> None:
    """One metric's values across periods, regions side by side, derived values hatched."""
    choices = trend_choices(filtered)
    if choices.empty:
        st.subheader(strings.text("chart_trend"))
        st.info(strings.text("empty_chart"))
        return
    rows = choices[["metric", "unit", "kind"]].itertuples(index=False)
    labels = [f"{m} ({u}, {strings.kind(k)})" for m, u, k in rows]
    index = st.selectbox(strings.text("trend_metric"), range(len(labels)), format_func=labels.__getitem__,
                         key="trend")
    choice = choices.iloc[index or 0]
    trend = metric_trend(filtered, str(choice["metric"]), str(choice["unit"]), str(choice["kind"]))
    name = f"{strings.text('chart_trend')}: {choice['metric']} ({choice['unit']})"
    chart_section("trend", name, trend, trend_figure(trend, strings, chart_title(name, filters_text)),
                  filters, strings)
    st.caption(strings.text("derived_note"))


def table_tab(db: str, version: str, stats: pd.DataFrame, filtered: pd.DataFrame, filters: Filters,
              strings: UiStrings) -> None:
    """The filtered statistics with their sentences, downloads, and the chosen row's document."""
    shown = filtered.head(TABLE_ROWS)
    st.caption(strings.text("table_caption", total=f"{len(filtered):,}", shown=f"{len(shown):,}"))
    table = display_table(shown, TABLE_COLUMNS)
    table["category"] = table["category"].map(strings.category)
    table["kind"] = table["kind"].map(strings.kind)
    table.columns = [strings.column(c) for c in TABLE_COLUMNS]
    state = st.dataframe(table, key="table", on_select="rerun", selection_mode="single-row", hide_index=True)
    st.caption(strings.text("table_derived_note"))
    slug = file_slug(filters)
    left, right = st.columns(2)
    left.download_button(strings.text("download_table_csv"), functools.partial(table_csv, filtered),
                         file_name=download_name("table", slug, "csv"), mime="text/csv", key="download_table_csv",
                         on_click="ignore")
    right.download_button(strings.text("download_table_xlsx"), functools.partial(table_xlsx, filtered),
                          file_name=download_name("table", slug, "xlsx"), mime=XLSX_MIME,
                          key="download_table_xlsx", on_click="ignore")
    rows = state.selection.rows if state is not None else []
    if not rows:
        st.info(strings.text("choose_row"))
        return
    row = shown.iloc[rows[0]]
    document_panel(db, version, stats, row, strings)
    correction_panel(db, row, strings)


def document_panel(db: str, version: str, stats: pd.DataFrame, row: pd.Series, strings: UiStrings) -> None:
    """The chosen row's document, escaped, every stated statistic coloured by category."""
    doc_id = str(row["doc_id"])
    document = cached_document(db, version, doc_id)
    st.subheader(f"{strings.text('document')}: {doc_id}")
    if not document:
        st.warning(strings.text("document_missing"))
        return
    st.text(f"{strings.text('source')}: {document.get('source') or document.get('path') or ''}")
    spans = stats.loc[(stats["doc_id"] == doc_id) & ~stats["derived"], ["start", "end", "category"]]
    titles = {key: strings.category(key) for key in strings.category_keys()}
    body = document_html(str(document.get("text") or ""), spans, strings.category_colours(), titles,
                         selected_start=None if pd.isna(row["start"]) else int(row["start"]))
    present = [key for key in strings.category_keys() if key in set(spans["category"].astype(str))]
    st.html(category_legend_html(present, strings.category_colours(), titles))
    st.html(body)


def correction_panel(db: str, row: pd.Series, strings: UiStrings) -> None:
    """Mark the chosen statistic wrong, or fix its category, value or year."""
    st.subheader(strings.text("correct_title"))
    if bool(row["derived"]):
        st.info(strings.text("derived_not_correctable"))
        return
    stat_id = str(row["stat_id"])
    if st.button(strings.text("mark_wrong"), key=f"delete_{stat_id}", type="primary"):
        apply_corrections(db, stat_id, {"deleted": True}, strings)
    with st.form(key=f"fix_{stat_id}"):
        keys = strings.category_keys()
        category = st.selectbox(strings.text("fix_category"), keys, format_func=strings.category,
                                index=keys.index(row["category"]) if row["category"] in keys else 0)
        value = st.number_input(strings.text("fix_value"), value=float(row["value"]), format="%g")
        period = st.number_input(strings.text("fix_period"), value=int(row["period"]) if pd.notna(row["period"]) else 0,
                                 step=1, min_value=0, max_value=2100)
        if st.form_submit_button(strings.text("save")):
            current = {"category": row["category"], "value": row["value"], "period": row["period"]}
            proposed = {"category": category, "value": value, "period": period or None}
            apply_corrections(db, stat_id, data.corrections_to_save(current, proposed), strings)


def apply_corrections(db: str, stat_id: str, changes: dict[str, object], strings: UiStrings) -> None:
    """Store corrections of one statistic and rerun so charts, table and downloads show them."""
    try:
        for field, value in changes.items():
            data.save_correction(db, stat_id, field, value)
    except ValueError as refused:
        st.error(str(refused))
        return
    flash("success", strings.text("saved"))
    st.rerun()


def corrections_tab(db: str, strings: UiStrings) -> None:
    """The stored corrections, each active one with an undo button."""
    corrections = data.read_corrections(db)
    if corrections is None or corrections.empty:
        st.info(strings.text("no_corrections"))
        return
    st.dataframe(display_table_plain(corrections), hide_index=True, key="corrections")
    active = corrections[~corrections["undone"].astype(bool)]
    for correction in active.tail(50).iloc[::-1].itertuples(index=False):
        label = f"{strings.text('undo')} #{correction.id}: {correction.stat_id} {correction.field} → {correction.value}"
        if st.button(label, key=f"undo_{correction.id}"):
            data.remove_correction(db, int(correction.id))
            flash("success", strings.text("undone"))
            st.rerun()


def display_table_plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Any small frame made safe for st.dataframe (formula text neutralised)."""
    return safe_for_display(frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object}))


def add_reports_tab(db: str, strings: UiStrings) -> None:
    """Upload files or paste text; ingested at once, each outcome told in words."""
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(strings.text("upload", limit=data.UPLOAD_LIMIT_MB), type=["txt", "html", "htm"],
                                 accept_multiple_files=True, max_upload_size=data.UPLOAD_LIMIT_MB, key="upload_files")
        region = st.text_input(strings.text("region_for_upload"), key="upload_region")
        published = st.text_input(strings.text("published_for_upload"), key="upload_published")
        uploaded = st.form_submit_button(strings.text("ingest"))
    if uploaded:
        ingest_all(db, [(f.name, f.getvalue()) for f in files or []], region, published, strings)
    with st.form("paste", clear_on_submit=False):
        name = st.text_input(strings.text("paste_name"), value="pasted-report", key="paste_name")
        text = st.text_area(strings.text("paste"), key="paste_text", height=200)
        pasted = st.form_submit_button(strings.text("ingest"))
    if pasted:
        if not (text or "").strip():
            st.warning(strings.text("empty_paste"))
        else:
            ingest_all(db, [(f"{name or 'pasted-report'}.txt", text.encode("utf-8"))], "", "", strings)


def ingest_all(db: str, files: list[tuple[str, bytes]], region: str, published: str, strings: UiStrings) -> None:
    """Ingest each (name, bytes); show every outcome, rerun when anything was added."""
    try:
        date = data.valid_date(published or "")
    except ValueError:
        st.error(strings.text("bad_date"))
        return
    outcomes = [data.ingest_upload(db, name, payload, region=(region or "").strip() or None, published=date)
                for name, payload in files]
    for outcome in outcomes:
        (st.success if outcome.ok else st.error)(strings.text(outcome.message_key, **outcome.values))
    added = [o for o in outcomes if o.ok]
    if added:
        flash("success", " ".join(strings.text(o.message_key, **o.values) for o in added))
        st.rerun()


def main() -> None:
    """Lay out the page."""
    lang = st.sidebar.segmented_control("语言 Language", ["zh", "en"], default="zh", required=True, key="lang",
                                        format_func={"zh": "中文", "en": "English"}.get, bind="query-params")
    strings = cached_strings(lang or "zh")
    st.title(strings.text("page_title"))
    show_flash()
    db = data.resolve_db_path(sys.argv[1:], os.environ, data.default_db())
    try:
        version = data.read_version(db)
        stats, options = cached_statistics(db, version, tuple(strings.category_keys()))
    except data.StoreProblem as problem:
        st.error(store_problem_message(problem, db, strings))
        if problem.kind != "missing":
            st.stop()
        add_reports_tab(db, strings)
        st.stop()
    if stats.empty:
        st.warning(strings.text("store_empty"))
    filters = sidebar_filters(options, strings)
    filtered = filter_statistics(stats, filters)
    charts, table, add, corrections = st.tabs([strings.text("tab_charts"), strings.text("tab_table"),
                                               strings.text("tab_add"), strings.text("tab_corrections")])
    with charts:
        if filtered.empty and not stats.empty:
            st.warning(strings.text("empty_filter"))
        charts_tab(filtered, filters, strings)
    with table:
        guard_store(db, strings, table_tab, db, version, stats, filtered, filters, strings)
    with add:
        guard_store(db, strings, add_reports_tab, db, strings)
    with corrections:
        guard_store(db, strings, corrections_tab, db, strings)


def guard_store(db: str, strings: UiStrings, section, *args) -> None:
    """Lay out one section; if the store fails meanwhile (removed, busy), say so instead of a traceback."""
    try:
        section(*args)
    except data.StoreProblem as problem:
        st.error(store_problem_message(problem, db, strings))


if __name__ == "__main__":  # Streamlit and AppTest run the script as __main__; a worker process that
    # re-imports the main module (multiprocessing's spawn and forkserver) must not lay out the page.
    st.set_page_config(page_title="公安统计数据看板 Police statistics", layout="wide")
    main()
