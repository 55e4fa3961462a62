"""Police statistics dashboard: layout only. ``streamlit run dashboard.py`` (optionally ``-- --db PATH``).

The store path comes from ``--db`` after ``--``, else the METRICS_DB environment variable, else the
store's default; a missing or stale store is built from the shipped reports (data/corpus and
data/reports) on first start.
Views are pure functions in metrics/views/ (indicators, figures, labels, panels, state, text); this file
only lays them out.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from metrics.views import data, panels
from metrics.views import figures as figs
from metrics.views import indicators as ind
from metrics.views import labels as lab
from metrics.views.export import MIMES, chart_csv, download_name, table_csv, table_xlsx
from metrics.views.prepare import prepare_statistics
from metrics.views.settings import Editor, Settings, settings_from
from metrics.views.state import (
    PERIOD_MODES,
    WIDGET_KEYS,
    PageState,
    chosen_row,
    default_category,
    offered_views,
    query_from_state,
    selected_ids,
    state_from_query,
    widget_values,
)
from metrics.views.strings import UiStrings, load_ui_strings
from metrics.views.text import display_table, escape_md, plain

ROOT = Path(__file__).resolve().parent
SHIPPED = (ROOT / "data" / "corpus", ROOT / "data" / "reports")
BUILD_STEP = 50  # reports per ingest call while the progress bar moves
DATA_CHECK_SECONDS = 10  # how often an open page asks whether the store changed (a file stat, no query)
TABLE_ROWS = 1000
EAGER_ROWS = 5000  # downloads up to this size are written with the page (see download_button)
CHART_REGIONS = 8  # lines drawn when no region is chosen (more cannot be read)


# ------------------------------------------------------------------------------------------ caches
@st.cache_data(show_spinner=False, max_entries=16)
def cached_staleness(db: str, version: str | None) -> bool:
    """Whether one store version was extracted by an older extractor (one query per version, not per rerun)."""
    return data.store_is_stale(db)


@st.cache_resource(max_entries=2, show_spinner=False)
def cached_statistics(db: str, version: str) -> pd.DataFrame:
    """The prepared statistics of one store version (read-only; shared by sessions)."""
    return prepare_statistics(data.read_statistics(db))


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_category(db: str, version: str, category: str) -> pd.DataFrame:
    """The area statistics of one category (read-only; shared by sessions): every chart starts here."""
    return ind.category_slice(cached_statistics(db, version), category)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_documents(db: str, version: str) -> pd.DataFrame:
    return data.read_documents(db)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_document(db: str, version: str, doc_id: str) -> dict | None:
    return data.read_document(db, doc_id)


@st.cache_resource(max_entries=2, show_spinner=False)
def cached_disagreements(db: str, version: str) -> pd.DataFrame:
    """Where two reports, or a report and a change stated in another, disagree beyond their rounding."""
    return data.read_disagreements(db)


@st.cache_resource(show_spinner=False)
def cached_strings(lang: str) -> UiStrings:
    return load_ui_strings(lang)


@st.cache_resource(max_entries=256, show_spinner=False)
def cached_options(db: str, version: str, order: tuple[str, ...]) -> tuple[list[str], pd.DataFrame]:
    """Categories and regions the store holds now (the filters' options)."""
    stats = cached_statistics(db, version)
    return ind.category_choices(stats, list(order)), ind.region_choices(stats)


@st.cache_data(max_entries=256, show_spinner=False)
def cached_indicator_choices(db: str, version: str, category: str) -> list[str]:
    return ind.indicator_choices(cached_category(db, version, category), category)


@st.cache_resource(max_entries=512, show_spinner=False)
def cached_cards(db: str, version: str, category: str, region: str) -> pd.DataFrame:
    """The headline cards of one region and category."""
    return ind.headline_cards(cached_category(db, version, category), region, category)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_table_bytes(db: str, version: str, category: str, regions: tuple[str, ...], extension: str) -> bytes:
    """The table download of one category and choice of regions, written once per store version."""
    rows = panels.table_rows(cached_statistics(db, version), category, regions)
    return (table_csv if extension == "csv" else table_xlsx)(rows)


@st.cache_data(max_entries=256, show_spinner=False)
def cached_units(db: str, version: str, category: str) -> dict[str, str]:
    """Each indicator of a category → its unit as written (for the measure picker's labels)."""
    return ind.indicator_units(cached_category(db, version, category), category)


@st.cache_data(max_entries=256, show_spinner=False)
def cached_periods(db: str, version: str, category: str, choice: str) -> list[str]:
    return panels.indicator_periods(cached_category(db, version, category), category, choice)


@st.cache_resource(max_entries=512, show_spinner=False)
def cached_points(
    db: str, version: str, category: str, choice: str, regions: tuple[str, ...], partial: bool, derived: bool
) -> tuple[pd.DataFrame, str, str, str]:
    """The indicator's points for one filter state (cached: a filter change already seen is free). With no
    region chosen, the busiest regions (CHART_REGIONS) are drawn."""
    rows = cached_category(db, version, category)
    return panels.chart_points(rows, category, choice, regions, partial=partial, derived=derived, limit=CHART_REGIONS)


@st.cache_resource(max_entries=512, show_spinner=False)
def cached_indicator_chart(
    db: str, version: str, category: str, choice: str, regions: tuple[str, ...], partial: bool, derived: bool, lang: str
) -> tuple[object, pd.DataFrame | bytes]:
    """The indicator's figure and its download (bytes when small: see download_button) for one filter state
    and language, built once and shared by sessions (never changed after: st.plotly_chart only reads it)."""
    points, measure, family, unit = cached_points(db, version, category, choice, regions, partial, derived)
    strings = cached_strings(lang)
    title = lab.indicator_title(category, measure, unit, strings)
    labels = lab.figure_labels(strings)
    figure = None
    if not points.empty:
        figure = figs.indicator_figure(
            points, title=title, unit=unit, unit_family=family, partial=partial, labels=labels
        )
    download = panels.labelled_download(points, category, measure, strings)
    return figure, (chart_csv(download) if len(download) <= EAGER_ROWS else download)


# ------------------------------------------------------------------------------------------ helpers
def flash(kind: str, message: str) -> None:
    st.session_state["flash"] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop("flash", (None, None))
    if kind:
        getattr(st, kind)(message, icon=None)


def ensure_store(db: str, strings: UiStrings) -> None:
    """First start: build (or bring up to date) the store from the shipped reports, with a progress bar;
    a store extracted by an older extractor is re-extracted first (``metrics refresh``)."""
    if cached_staleness(db, data.read_version_or_none(db)):
        with st.spinner(strings.text("refreshing_store")):
            try:
                data.refresh_statistics(db)
            except data.StoreProblem:
                pass  # the page reads the store next and says what is wrong with it
    reports = [report for folder in SHIPPED for report in data.shipped_reports(folder)]
    if not reports or not data.store_needs_build(db, reports):
        return
    total = len(reports)
    bar = st.progress(0.0, text=strings.text("building_store", folder="data/", done=0, total=total))
    for first in range(0, total, BUILD_STEP):
        step = reports[first : first + BUILD_STEP]
        try:
            data.ingest_report_files(db, step)
        except Exception as exc:  # one unreadable batch does not stop the build
            st.warning(escape_md(f"{step[0].name}…: {type(exc).__name__}"))
        done = first + len(step)
        bar.progress(done / total, text=strings.text("building_store", folder="data/", done=done, total=total))
    if Path(db).is_file():
        os.utime(db)
    bar.empty()


def session_name() -> str:
    """A short name for this browser session (the log's author when the viewer gives none)."""
    ctx = get_script_run_ctx()
    return f"session-{ctx.session_id[:8]}" if ctx else "session"


def editor_controls(settings: Settings, strings: UiStrings) -> Editor:
    """The sidebar's editing part: the shared token where one is required, the viewer's name; or why
    editing is off (read-only sharing)."""
    bar = st.sidebar
    if not settings.edits_enabled:
        bar.caption(strings.text(settings.problem or "edits_off"))
        return Editor(False, "")
    given = None
    if settings.token_required:
        given = bar.text_input(strings.text("edit_token"), type="password", key="edit_token")
        if not settings.unlocks(given):
            if given:
                bar.error(strings.text("edit_token_wrong"))
            else:
                bar.caption(strings.text("edit_token_hint"))
            return Editor(False, "")
    name = bar.text_input(strings.text("editor_name"), key="editor_name", max_chars=80, placeholder=session_name())
    return Editor(True, (name or "").strip() or session_name())


# ------------------------------------------------------------------------------------------ state
def seed_widgets_from_link() -> PageState:
    """On a session's first run, the link's state goes into the widgets; later runs keep the widgets'."""
    asked = state_from_query({k: st.query_params.get_all(k) for k in st.query_params.keys()})
    if "seeded" not in st.session_state:
        st.session_state["seeded"] = True
        st.session_state["point"] = asked.point
        st.session_state.update(widget_values(asked))
    return asked


def fix_widget(key: str, options: list, default) -> None:
    """A widget's kept value that the store no longer offers falls back to the default (never an error)."""
    value = st.session_state.get(key)
    if isinstance(value, list):
        st.session_state[key] = [v for v in value if v in options]
    elif value not in options:
        st.session_state[key] = default


def sidebar(db: str, version: str, strings: UiStrings, tab: str) -> PageState:
    """The filters (category, indicator, regions, periods, derived), their options from the store now."""
    categories, regions = cached_options(db, version, tuple(strings.category_keys()))
    bar = st.sidebar
    fix_widget(WIDGET_KEYS["category"], categories, default_category(categories))
    category = (
        bar.selectbox(
            strings.text("filter_category"), categories, key=WIDGET_KEYS["category"], format_func=strings.category_name
        )
        or ""
    )
    choices = cached_indicator_choices(db, version, category) if category else []
    units = cached_units(db, version, category) if category else {}
    fix_widget(WIDGET_KEYS["measure"], choices, choices[0] if choices else None)
    choice = (
        bar.selectbox(
            strings.text("measure"),
            choices,
            key=WIDGET_KEYS["measure"],
            format_func=lambda c: lab.choice_label(c, units.get(c, ""), strings),
        )
        or ""
    )
    region_keys = regions["region_key"].tolist()
    names = lab.region_names(regions)
    fix_widget(WIDGET_KEYS["regions"], region_keys, [])
    chosen = bar.multiselect(
        strings.text("regions"),
        region_keys,
        key=WIDGET_KEYS["regions"],
        format_func=lambda k: lab.region_label(k, names),
        placeholder=strings.text("regions_placeholder"),
    )
    fix_widget(WIDGET_KEYS["periods"], list(PERIOD_MODES), "years")
    periods = (
        bar.segmented_control(
            strings.text("periods"),
            list(PERIOD_MODES),
            key=WIDGET_KEYS["periods"],
            required=True,
            format_func=lambda m: strings.text(f"periods_{m}"),
        )
        or "years"
    )
    derived = bar.checkbox(strings.text("show_derived"), key=WIDGET_KEYS["derived"])
    period = ""
    if tab == "places":
        options = cached_periods(db, version, category, choice) if choice else []
        fix_widget(WIDGET_KEYS["period"], options, options[0] if options else None)
        period = bar.selectbox(strings.text("period_for_places"), options, key=WIDGET_KEYS["period"]) or ""
    return PageState(
        lang=strings.lang,
        tab=tab,
        category=category,
        measure=choice,
        regions=tuple(chosen),
        periods=periods,
        period=period,
        derived=bool(derived),
        point=st.session_state.get("point", ""),
    )


def defaults_for(db: str, version: str, strings: UiStrings, state: PageState) -> PageState:
    """What a link with no query shows for the parts not chosen: the default category, and for the
    category (and indicator) in view its first indicator (and period). The link then leaves them out."""
    categories, _ = cached_options(db, version, tuple(strings.category_keys()))
    choices = cached_indicator_choices(db, version, state.category) if state.category else []
    periods = (
        cached_periods(db, version, state.category, state.measure) if state.measure and state.tab == "places" else []
    )
    return PageState(
        category=default_category(categories),
        measure=choices[0] if choices else "",
        period=periods[0] if periods else "",
    )


def write_link(state: PageState, defaults: PageState) -> None:
    """The address bar carries what the user chose (and nothing else)."""
    query = query_from_state(state, defaults)
    if dict(query) != {
        k: (st.query_params.get_all(k) if isinstance(v, list) else st.query_params.get(k)) for k, v in query.items()
    } or set(st.query_params.keys()) != set(query):
        st.query_params.from_dict(query)


# ------------------------------------------------------------------------------------------ views
def download_button(where, label: str, payload, file_name: str, key: str, icon: str | None = None) -> None:
    """A download that never reruns the page. ``payload``: the bytes, written with the page (up to
    EAGER_ROWS rows), or a callable that writes them when the button is clicked (larger downloads).

    Why both: Streamlit 1.67 keeps a file written on click referenced by no session, so it is dropped once two
    other sessions finish a rerun before the browser fetches it (HTTP 404; tests/e2e/test_sessions_browser.py);
    bytes written with the page belong to this session until its next rerun. A large download written on
    click can still meet that race under load; clicking again writes it again."""
    mime = MIMES[file_name.rsplit(".", 1)[-1]]
    where.download_button(label, payload, file_name=file_name, mime=mime, key=key, on_click="ignore", icon=icon)


def chart_download(frame: pd.DataFrame | bytes, what: str, slug: str, strings: UiStrings) -> None:
    """The CSV download of exactly one chart's data (``frame``, or its CSV already written)."""
    if isinstance(frame, bytes):
        payload = frame
    else:
        payload = chart_csv(frame) if len(frame) <= EAGER_ROWS else functools.partial(chart_csv, frame)
    name = download_name(what, slug, "csv")
    download_button(st, strings.text("download_points"), payload, name, f"download_{what}", ":material/download:")


def clickable_chart(figure, key: str, **options) -> None:
    """A chart whose points can be chosen: a click on a point (a new selection) puts its id into the state
    and the link (its sources are shown)."""
    event = st.plotly_chart(figure, key=key, on_select="rerun", selection_mode="points", width="stretch", **options)
    ids = tuple(selected_ids(event))
    if ids != st.session_state.get(f"seen_{key}", ()):
        st.session_state[f"seen_{key}"] = ids
        if ids:
            st.session_state["point"] = ids[0]


def indicator_view(db: str, version: str, state: PageState, strings: UiStrings) -> None:
    """One indicator over periods for the chosen regions; a click on a point shows its sources."""
    partial = state.periods == "partial"
    points, measure, _, unit = cached_points(
        db, version, state.category, state.measure, state.regions, partial, state.derived
    )
    figure, download = cached_indicator_chart(
        db, version, state.category, state.measure, state.regions, partial, state.derived, strings.lang
    )
    headline_view(db, version, state, strings)
    if points.empty:
        title = lab.indicator_title(state.category, measure, unit, strings)  # with a chart, the chart says it
        st.subheader(escape_md(title))  # the unit comes from reports: no markdown from data
        st.info(strings.text("empty_chart"))
    else:
        clickable_chart(figure, "chart_indicator", config={"displaylogo": False})
        st.caption(lab.indicator_caption(partial, strings))
        chart_download(download, "indicator", f"{state.category}_{measure}_{state.periods}", strings)
        flagged = panels.disagreements_for(cached_disagreements(db, version), state.category, measure, points)
        disagreements_view(flagged, strings, key="indicator")
    sources_view(db, version, strings)


def disagreements_view(flagged: pd.DataFrame, strings: UiStrings, key: str, expanded: bool = False) -> None:
    """Points where two reports, or a stated value and one derived from another report's change, differ
    by more than their rounding allows: both values and both sentences, and their CSV."""
    if flagged.empty:
        return
    with st.expander(strings.text("disagreements_found", count=len(flagged)), expanded=expanded, icon="⚠️"):
        st.caption(strings.text("disagreements_note"))
        st.dataframe(panels.disagreement_table(flagged, strings), hide_index=True, key=f"disagreements_{key}")
        chart_download(flagged, f"disagreements_{key}", "all", strings)


def sources_view(db: str, version: str, strings: UiStrings) -> None:
    """The chosen point's sources: sentence (figure marked), report, address; for a derived value the
    stated figure and change it comes from."""
    point = st.session_state.get("point", "")
    if not point:
        st.caption(strings.text("click_hint"))
        return
    stats = cached_statistics(db, version)
    sources = ind.sources_of(stats, point)
    if sources.empty:
        st.session_state["point"] = ""
        return
    chosen = stats[stats["stat_id"] == point].iloc[0]
    with st.container(border=True, key="sources"):
        st.subheader(strings.text("sources_title"))
        st.text(lab.point_summary(chosen))
        if bool(chosen["derived"]):
            st.info(strings.text("sources_derived"))
        shown = display_table(sources, panels.SOURCE_COLUMNS)
        for row, source in zip(shown.itertuples(index=False), sources.itertuples(index=False)):
            document = cached_document(db, version, str(source.doc_id)) or {}
            for line in lab.source_lines(row.evidence, source.doc_id, source.published, document, strings):
                st.text(line)
        if st.button(strings.text("clear_point"), key="clear_point"):
            st.session_state["point"] = ""
            st.rerun()


def headline_view(db: str, version: str, state: PageState, strings: UiStrings) -> None:
    """Cards for the first chosen region: latest whole-year figures of the category, change, trend."""
    if not state.regions:
        return
    region = state.regions[0]
    cards = cached_cards(db, version, state.category, region)
    names = lab.region_names(cached_options(db, version, tuple(strings.category_keys()))[1])
    st.markdown(lab.headline_markdown(names.get(region, region), state.category, strings))
    if cards.empty:
        st.caption(strings.text("no_headline"))
        return
    shown = panels.headline(cards, strings)
    for column, card in zip(st.columns(len(shown)), shown):
        column.metric(**vars(card), border=True, chart_type="line")


def category_view(db: str, version: str, state: PageState, strings: UiStrings) -> None:
    """Small multiples: every measure of the chosen category by year, for the chosen regions."""
    rows = cached_category(db, version, state.category)
    points = panels.multiples_points(rows, state.category, state.regions, derived=state.derived, limit=5)
    st.subheader(strings.category_name(state.category))
    if points.empty:
        st.info(strings.text("empty_chart"))
        return
    titles = lab.multiples_titles(points, strings)
    clickable_chart(figs.multiples_figure(points, titles, labels=lab.figure_labels(strings)), "chart_category")
    st.caption(strings.text("indicator_note"))
    chart_download(panels.multiples_download(points, state.category, strings), "category", state.category, strings)
    sources_view(db, version, strings)


def places_view(db: str, version: str, state: PageState, strings: UiStrings) -> None:
    """Regions ranked by value and by year-on-year change in one period, and the provinces' tile map."""
    rows = cached_category(db, version, state.category)
    places = panels.places_panel(rows, state.category, state.measure, state.period, state.derived, strings)
    labels, slug = lab.figure_labels(strings), f"{state.category}_{places.measure}_{state.period}"
    left, right = st.columns(2)
    with left:
        st.subheader(strings.text("chart_changes"))
        if places.changes.empty:
            st.info(strings.text("no_changes"))
        else:
            figure = figs.change_figure(places.changes, places.tones, title=places.title, labels=labels)
            clickable_chart(figure, "chart_changes")
            st.caption(strings.text("tone_note"))
            download = panels.changes_download(places, state.category, state.period, strings)
            chart_download(download, "changes", slug, strings)
    with right:
        st.subheader(strings.text("chart_ranking"))
        if places.ranking.empty:
            st.info(strings.text("empty_chart"))
        else:
            figure = figs.ranking_figure(
                places.ranking, title=places.title, unit=places.unit, unit_family=places.family, labels=labels
            )
            clickable_chart(figure, "chart_ranking")
            download = panels.labelled_download(places.ranking, state.category, places.measure, strings)
            chart_download(download, "ranking", slug, strings)
    st.plotly_chart(
        panels.tile_figure(places, strings),
        key="chart_tiles",
        width="stretch",
        config={"staticPlot": False, "displayModeBar": False},
    )
    sources_view(db, version, strings)


def coverage_view(db: str, version: str, strings: UiStrings) -> None:
    """数据说明: what the store holds and what the figures are and are not."""
    summary, kinds, reports = panels.coverage_tables(
        cached_statistics(db, version), cached_documents(db, version), strings
    )
    st.subheader(strings.text("coverage_title"))
    st.text(lab.coverage_summary(summary, strings))
    st.text(strings.text("coverage_what"))
    st.text(strings.text("coverage_not"))
    st.markdown(f"**{strings.text('coverage_periods')}**")
    st.dataframe(kinds, hide_index=True, key="coverage_periods")
    st.markdown(f"**{strings.text('coverage_reports')}**")
    st.dataframe(plain(reports), hide_index=True, key="coverage_reports")
    chart_download(reports, "coverage", "all", strings)
    st.markdown(f"**{strings.text('coverage_disagreements')}**")
    flagged = cached_disagreements(db, version)
    if flagged.empty:
        st.text(strings.text("no_disagreements"))
    disagreements_view(flagged, strings, key="coverage", expanded=True)


def table_view(db: str, version: str, state: PageState, strings: UiStrings, editor: Editor) -> None:
    """The statistics of the chosen category and regions with their sentences; a chosen row's document."""
    stats = cached_statistics(db, version)
    rows = panels.table_rows(stats, state.category, state.regions)
    shown = rows.head(TABLE_ROWS)
    st.caption(lab.table_caption(len(rows), len(shown), strings))
    table = panels.statistics_table(shown, panels.TABLE_COLUMNS, strings, headers=True)
    picked = st.dataframe(table, key="table", on_select="rerun", selection_mode="single-row", hide_index=True)
    for where, extension, writer in zip(st.columns(2), ("csv", "xlsx"), (table_csv, table_xlsx)):
        label, name = f"download_table_{extension}", download_name("table", state.category, extension)
        if len(rows) <= EAGER_ROWS:
            payload = cached_table_bytes(db, version, state.category, tuple(state.regions), extension)
        else:
            payload = functools.partial(writer, rows)
        download_button(where, strings.text(label), payload, name, key=label)
    chosen = chosen_row(picked.selection.rows if picked is not None else [], len(shown))
    if chosen is None:  # no row, or a row that no longer exists (deleted meanwhile): no IndexError
        st.info(strings.text("choose_row"))
        return
    row = shown.iloc[chosen]
    document_panel(db, version, stats, row, strings)
    if editor.may_edit:
        correction_panel(db, row, strings, editor)


def document_panel(db: str, version: str, stats: pd.DataFrame, row: pd.Series, strings: UiStrings) -> None:
    """The chosen row's document, escaped, every stated statistic coloured by category."""
    doc_id = str(row["doc_id"])
    document = cached_document(db, version, doc_id)
    st.subheader(strings.text("document"))
    st.text(doc_id)
    if not document:
        st.warning(strings.text("document_missing"))
        return
    st.text(f"{strings.text('source')}: {lab.document_address(document, '')}")
    legend, body = panels.document_highlights(document, stats, row, strings)
    st.html(legend)
    st.html(body)


def correction_panel(db: str, row: pd.Series, strings: UiStrings, editor: Editor) -> None:
    """Mark the chosen statistic wrong, or fix its category, value or year. A correction names the
    statistic by its stable key and the value this viewer saw: if someone changed it meanwhile, or its
    report was replaced, nothing is saved and the page says so."""
    st.subheader(strings.text("correct_title"))
    if bool(row["derived"]):
        st.info(strings.text("derived_not_correctable"))
        return
    target = panels.correction_target(row)
    stat_id = target.stat_id
    shown_key = f"shown_{stat_id}"  # what this viewer was shown when they acted (the run before this one)
    seen = st.session_state.get(shown_key, target.current)
    st.session_state[shown_key] = target.current
    if st.button(strings.text("mark_wrong"), key=f"delete_{stat_id}", type="primary"):
        apply_corrections(db, target.stat, {"deleted": True}, seen, editor, strings)
    with st.form(key=f"fix_{stat_id}"):
        keys = strings.category_keys()
        category = st.selectbox(
            strings.text("fix_category"),
            keys,
            format_func=strings.category,
            index=keys.index(row["category"]) if row["category"] in keys else 0,
            key=f"fix_category_{stat_id}",
        )
        value = st.number_input(
            strings.text("fix_value"), value=float(row["value"]), format="%g", key=f"fix_value_{stat_id}"
        )
        year = st.number_input(
            strings.text("fix_period"),
            value=target.current["period"] or 0,
            step=1,
            min_value=0,
            max_value=2100,
            key=f"fix_period_{stat_id}",
        )
        if st.form_submit_button(strings.text("save")):
            proposed = {"category": category, "value": value, "period": year or None}
            apply_corrections(db, target.stat, data.corrections_to_save(seen, proposed), seen, editor, strings)


def apply_corrections(
    db: str, stat: str, changes: dict[str, object], seen: dict[str, object], editor: Editor, strings: UiStrings
) -> None:
    """Save each changed field if it still holds what this viewer saw; a refusal is shown, not raised."""
    if not changes:
        st.info(strings.text("nothing_changed"))
        return
    try:
        data.save_corrections(db, stat, changes, seen, editor.author)
    except ValueError as refused:
        st.error(escape_md(str(refused)))
        return
    flash("success", strings.text("saved"))
    st.rerun()


def corrections_view(db: str, strings: UiStrings) -> None:
    corrections = data.read_corrections(db)
    if corrections is None or corrections.empty:
        st.info(strings.text("no_corrections"))
        return
    st.dataframe(plain(corrections), hide_index=True, key="corrections")
    active = corrections[~corrections["undone"].astype(bool)]
    for correction in active.tail(50).iloc[::-1].itertuples(index=False):
        if st.button(lab.undo_label(correction, strings), key=f"undo_{correction.id}"):
            data.remove_correction(db, int(correction.id))
            flash("success", strings.text("undone"))
            st.rerun()


def add_view(db: str, strings: UiStrings) -> None:
    """Upload files or paste text; then a review of what was extracted (or that it was already stored)."""
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(
            strings.text("upload", limit=data.UPLOAD_LIMIT_MB),
            type=["txt", "html", "htm"],
            accept_multiple_files=True,
            max_upload_size=data.UPLOAD_LIMIT_MB,
            key="upload_files",
        )
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
    review_view(db, strings)


def ingest_all(db: str, files: list[tuple[str, bytes]], region: str, published: str, strings: UiStrings) -> None:
    """Ingest each (name, bytes); keep the outcomes for the review below (shown after the rerun too)."""
    try:
        date = data.valid_date(published or "")
    except ValueError:
        st.error(strings.text("bad_date"))
        return
    st.session_state["review"] = data.ingest_uploads(db, files, region=region, published=date)


def review_view(db: str, strings: UiStrings) -> None:
    """What the last import extracted: each report's statistics with the figure marked in its sentence, and
    its text with every figure highlighted; a report already stored says so."""
    for ok, key, values in st.session_state.get("review", []):
        (st.success if ok else st.error)(lab.review_message(key, values, strings))
        if not ok or "content_hash" not in values:
            continue
        if key == "ingest_skipped":
            st.info(strings.text("already_stored"))
        doc_id = data.doc_id_for_content(db, values["content_hash"])
        if not doc_id:
            continue
        version = data.read_version(db)
        stats = cached_statistics(db, version)
        rows = stats[(stats["doc_id"] == doc_id) & ~stats["derived"]]
        st.subheader(strings.text("review_title"))
        if rows.empty:
            st.info(strings.text("review_none"))
            continue
        table = panels.statistics_table(rows, panels.REVIEW_COLUMNS, strings)
        st.dataframe(table, hide_index=True, key=f"review_{doc_id}")
        document_panel(db, version, stats, rows.iloc[0], strings)


# ------------------------------------------------------------------------------------------ page
def main() -> None:
    """Lay out the page."""
    seed_widgets_from_link()
    lang = (
        st.sidebar.segmented_control(
            "语言 Language",
            ["zh", "en"],
            key=WIDGET_KEYS["lang"],
            required=True,
            format_func={"zh": "中文", "en": "English"}.get,
        )
        or "zh"
    )
    strings = cached_strings(lang)
    st.title(strings.text("page_title"))
    show_flash()
    db = data.resolve_db_path(sys.argv[1:], os.environ, data.default_db())
    editor = editor_controls(settings_from(os.environ, st.get_option("server.address")), strings)
    ensure_store(db, strings)
    try:
        version = data.read_version(db)
        stats = cached_statistics(db, version)
    except data.StoreProblem as problem:
        st.error(lab.store_problem_message(problem, db, strings))
        if problem.kind == "missing" and editor.may_edit:
            add_view(db, strings)
        elif problem.kind == "broken":
            rebuild_offer(db, strings, editor)
        st.stop()
    if stats.empty:
        st.warning(strings.text("store_empty"))
    data_watch(db, version, strings)
    views = offered_views(editor.may_edit)
    fix_widget(WIDGET_KEYS["tab"], views, "indicator")
    tab = (
        st.segmented_control(
            strings.text("view"),
            views,
            key=WIDGET_KEYS["tab"],
            required=True,
            format_func=lambda v: strings.text(f"view_{v}"),
            label_visibility="collapsed",
        )
        or "indicator"
    )
    state = sidebar(db, version, strings, tab)
    defaults = defaults_for(db, version, strings, state)
    sections = {
        "indicator": (indicator_view, db, version, state, strings),
        "category": (category_view, db, version, state, strings),
        "places": (places_view, db, version, state, strings),
        "coverage": (coverage_view, db, version, strings),
        "table": (table_view, db, version, state, strings, editor),
        "add": (add_view, db, strings),
    }
    guard_store(db, strings, *sections.get(tab, (corrections_view, db, strings)))
    state = PageState(**{**state.__dict__, "point": st.session_state.get("point", "")})
    write_link(state, defaults)


@st.fragment(run_every=DATA_CHECK_SECONDS)
def data_watch(db: str, drawn: str, strings: UiStrings) -> None:
    """While the page is open: when the store changed since it was drawn (an ingest, a correction in
    another session), say so with a refresh button; the filters keep what the user chose."""
    try:
        now = data.read_version(db)
    except data.StoreProblem:
        return  # busy or gone for a moment: the next check or rerun says so
    if now == drawn:
        return
    with st.container(horizontal=True, key="data_updated"):
        st.info(strings.text("data_updated"), icon=":material/update:")
        if st.button(strings.text("data_updated_refresh"), key="refresh_data", type="primary"):
            st.rerun(scope="app")


def rebuild_offer(db: str, strings: UiStrings, editor: Editor) -> None:
    """A damaged store: rebuild it from the shipped reports into a new file, keeping the damaged one."""
    if not editor.may_edit:
        st.info(strings.text("rebuild_ask_owner"))
        return
    if st.button(strings.text("rebuild_button"), key="rebuild", type="primary"):
        with st.spinner(strings.text("rebuilding")):
            try:
                kept = data.rebuild_from_reports(db, SHIPPED)
            except data.StoreProblem as problem:
                st.error(lab.store_problem_message(problem, db, strings))
                return
        flash("success", strings.text("rebuilt", kept=str(kept or "—")))
        st.rerun()


def guard_store(db: str, strings: UiStrings, section, *args) -> None:
    """Lay out one section; if the store fails meanwhile (removed, busy), say so instead of a traceback."""
    try:
        section(*args)
    except data.StoreProblem as problem:
        st.error(lab.store_problem_message(problem, db, strings))


if __name__ == "__main__":  # Streamlit and AppTest run the script as __main__; a worker process that
    # re-imports the main module (multiprocessing's spawn and forkserver) must not lay out the page.
    st.set_page_config(page_title="公安统计数据看板 Police statistics", layout="wide")
    main()
