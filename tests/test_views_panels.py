"""Unit tests of what the page lays out, assembled without Streamlit: labels and messages
(metrics/views/labels.py), panels' data (metrics/views/panels.py), the state helpers the page uses
(metrics/views/state.py), text escaping (metrics/views/text.py), and the store calls behind the forms."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from test_views import analyst_sample, city, frame

from metrics.errors import StoreMemoryError, StoreProblem
from metrics.views import data, panels
from metrics.views import labels as lab
from metrics.views.export import MIMES, XLSX_MIME
from metrics.views.prepare import prepare_statistics
from metrics.views.state import WIDGET_KEYS, PageState, chosen_row, offered_views, selected_ids, widget_values
from metrics.views.strings import load_ui_strings
from metrics.views.text import escape_md, plain

ZH, EN = load_ui_strings("zh"), load_ui_strings("en")
FALL = dict(kind="change_pct", value=20.0, unit="%", unit_norm="percent", direction="down", basis="yoy", surface="20%")


def with_derived() -> pd.DataFrame:
    """厦门 2024: 1200 cases stated, −20% stated: 2023's 1500 derived."""
    return prepare_statistics(frame(city(), city(**FALL, start=30, end=33)))


# ------------------------------------------------------------------ labels
def test_figure_labels_hold_every_word_the_figures_read_in_the_language():
    labels = lab.figure_labels(EN)
    assert set(labels) == set(lab.FIGURE_LABEL_KEYS) | {f"period_{p}" for p in lab.PERIOD_KINDS}
    assert labels["period_year"] == "year" and lab.figure_labels(ZH)["period_year"] == "全年"


def test_measure_and_choice_names():
    assert lab.measure_name("solved", ZH) == "破案" and lab.measure_name("solved", EN) == "cases solved"
    assert lab.measure_name("no-such-measure", EN) == "no-such-measure"
    assert lab.choice_label("reports/items", "个", EN) == "incidents reported (个)"  # a second unit is named
    assert lab.choice_label("reports", "起", EN) == "incidents reported"
    assert lab.indicator_title("telecom_fraud", "solved", "起", ZH) == "电信网络诈骗 · 破案 (起)"


def test_region_names_and_labels():
    regions = pd.DataFrame({"region_key": ["350200", "苍南"], "region": ["厦门市", "苍南"]})
    names = lab.region_names(regions)
    assert names == {"350200": "厦门市", "苍南": "苍南"}
    assert lab.region_label("350200", names) == "厦门市 350200"
    assert lab.region_label("苍南", names) == "苍南"  # a key that is its own name is not doubled
    assert lab.region_label("999999", names) == "999999 999999"


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("missing", "No store at /x.duckdb"),
        ("busy", "The store is busy (locked)"),
        ("memory", "Not enough memory to read or write the store (locked)"),
        ("broken", "(locked)"),
    ],
)
def test_store_problem_messages_say_what_to_do(kind, expected):
    message = lab.store_problem_message(StoreProblem(kind, "locked"), "/x.duckdb", EN)
    assert expected in message
    assert ("rebuild --db /x.duckdb" in message) == (kind == "broken")


def test_an_out_of_memory_store_error_is_no_damaged_store(tmp_path):
    db = tmp_path / "metrics.duckdb"
    db.write_bytes(b"")  # a store file that exists: guarded reaches the call

    def short_of_memory(_store):
        raise StoreMemoryError(f"{db}: out of memory while trying to write the store", path=str(db))

    with pytest.raises(StoreProblem) as raised:
        data.guarded(short_of_memory, str(db))
    assert raised.value.kind == "memory"
    assert "rebuild" not in lab.store_problem_message(raised.value, str(db), EN)


def test_captions_and_headings():
    assert lab.indicator_caption(False, EN) == EN.text("indicator_note")
    assert lab.indicator_caption(True, EN).endswith(" " + EN.text("partial_periods_note"))
    assert lab.table_caption(12345, 1000, EN).startswith("12,345 statistics, the first 1,000 shown.")
    heading = lab.headline_markdown("*厦门*", "telecom_fraud", EN)
    assert heading.startswith("**\\*厦门\\*: latest") and heading.endswith("telecom fraud**")


def test_coverage_summary_years_and_missing_update():
    summary = {"reports": 3, "statistics": 9, "charted": 7, "regions": 2, "provinces": 1, "regions_3y": 1}
    summary |= {"years": (2019, 2024), "latest_update": ""}
    text = lab.coverage_summary(summary, EN)
    assert "3 reports and 9 statistics (7 of them" in text and "years 2019–2024. Latest update: —." in text
    assert "from 2 regions (1 provinces; 1 regions with three or more years)" in text
    assert "years —." in lab.coverage_summary({**summary, "years": None}, EN)


def test_sources_point_and_document_address():
    assert lab.document_address({"source": "", "path": "a/b.txt"}) == "a/b.txt"
    assert lab.document_address({}) == "—" and lab.document_address({}, "") == ""
    chosen = {"region": "厦门市", "period_display": "2023", "value": 1500.0, "unit": "起"}
    assert lab.point_summary(chosen) == "厦门市 · 2023 · 1,500 起"
    lines = lab.source_lines("打处【2129人】。", "d1", None, {"source": "https://x"}, EN)
    assert lines == ["Sentence: 打处【2129人】。", "Report: d1 (—) · Address: https://x"]


def test_undo_and_review_messages_are_escaped():
    correction = SimpleNamespace(id=7, stat_id="d1:1:2", field="value", value="[9](x)")
    assert lab.undo_label(correction, EN) == "Undo \\#7: d1:1:2 value → \\[9\\]\\(x\\)"
    message = lab.review_message("ingested", {"name": "a_b.txt", "count": 3, "content_hash": "ff"}, EN)
    assert message == "Added a\\_b\\.txt: 3 statistics\\."


# ------------------------------------------------------------------ state and text
def test_offered_views_and_widget_values():
    assert offered_views(True)[-2:] == ["add", "corrections"] and "add" not in offered_views(False)
    values = widget_values(PageState(lang="en", regions=("350200", "320000"), derived=False))
    assert set(values) == set(WIDGET_KEYS.values())
    assert values["w_regions"] == ["350200", "320000"] and values["w_lang"] == "en" and values["w_derived"] is False


def test_selected_ids_and_chosen_row():
    event = {"selection": {"points": [{"customdata": ["a", 1]}, {"x": 2}, {"customdata": ["b"]}]}}
    assert selected_ids(event) == ["a", "b"]
    assert selected_ids(None) == [] and selected_ids({}) == []
    assert chosen_row([3, 1], 2) == 1 and chosen_row([2], 2) is None


def test_escape_md_and_plain():
    assert escape_md("a*b_c") == "a\\*b\\_c" and escape_md(12) == "12"
    table = plain(pd.DataFrame({"text": pd.Series(["=1+1", "ok"], dtype=object), "n": [1, 2]}))
    assert str(table["text"].dtype) == "string"  # object columns as strings: st.dataframe shows them as text
    assert table.values.tolist() == [["'=1+1", 1], ["ok", 2]]  # a formula is neutralised


def test_download_mimes():
    assert MIMES == {"csv": "text/csv", "xlsx": XLSX_MIME}


# ------------------------------------------------------------------ charts
def test_chart_points_draw_the_busiest_regions_when_none_is_chosen():
    rows = prepare_statistics(
        frame(
            city(),
            city(doc_id="xm23", value=1400.0, period=2023, period_label="2023"),
            city(doc_id="js", region="江苏省", region_code="320000", province="320000", value=9.0),
        )
    )
    points, measure, family, unit = panels.chart_points(
        rows, "telecom_fraud", "cases", (), partial=False, derived=True, limit=1
    )
    assert (measure, family, unit) == ("cases", "cases", "起")
    assert set(points["region_key"]) == {"350200"}
    chosen, *_ = panels.chart_points(rows, "telecom_fraud", "cases", ("320000",), partial=False, derived=True, limit=1)
    assert chosen["value"].tolist() == [9.0]


def test_indicator_periods_follow_the_choice():
    assert panels.indicator_periods(analyst_sample(), "telecom_fraud", "cases") == ["2024", "2023", "2024-H1"]


def test_multiples_points_leave_out_derived_values_when_asked():
    rows = with_derived()
    assert panels.multiples_points(rows, "telecom_fraud", (), derived=True, limit=5)["derived"].tolist() == [
        True,
        False,
    ]
    stated = panels.multiples_points(rows, "telecom_fraud", (), derived=False, limit=5)
    assert stated["value"].tolist() == [1200.0]
    assert panels.multiples_points(rows, "telecom_fraud", ("320000",), derived=True, limit=5).empty


def test_downloads_carry_the_labels_of_the_language():
    rows = analyst_sample()
    points = panels.multiples_points(rows, "telecom_fraud", (), derived=True, limit=5)
    one = panels.labelled_download(points[points["measure"] == "solved"], "telecom_fraud", "solved", EN)
    assert set(one["measure_label"]) == {"cases solved"} and set(one["category_label"]) == {"telecom fraud"}
    both = panels.multiples_download(points, "telecom_fraud", ZH)
    assert set(both["measure_label"]) == {"发案", "破案"} and len(both) == len(points)


def test_disagreements_for_a_chart_and_their_table():
    flagged = pd.DataFrame(
        {column: ["x", "y", "z"] for column in panels.DISAGREEMENT_SHOWN}
        | {
            "category": ["traffic", "traffic", "drugs"],
            "measure": ["accidents", "accidents", "accidents"],
            "region_code": ["350982", "110000", "350982"],
            "what": ["sources", "stated/derived", "derived"],
        }
    )
    points = pd.DataFrame({"region_key": ["350982", "350200"]})
    mine = panels.disagreements_for(flagged, "traffic", "accidents", points)
    assert mine["region_code"].tolist() == ["350982"]
    table = panels.disagreement_table(flagged, EN)
    assert list(table.columns) == panels.DISAGREEMENT_SHOWN
    assert table["what"].tolist() == ["two reports", "stated vs derived", "two derived values"]
    assert table["category"].tolist()[2] == EN.category_name("drugs")


# ------------------------------------------------------------------ places
def test_places_panel_ranks_and_tones_changes():
    places = panels.places_panel(analyst_sample(), "telecom_fraud", "cases", "2023", True, ZH)
    assert places.title == "电信网络诈骗 · 发案 (起) · 2023" and places.rise == "-"
    assert list(zip(places.changes["region"], places.tones)) == [("江苏省", "good"), ("天津市", "bad")]
    assert places.ranking["value"].tolist() == [1400.0]
    download = panels.changes_download(places, "telecom_fraud", "2023", EN)
    assert download["tone"].tolist() == ["good", "bad"] and set(download["measure_label"]) == {"cases recorded"}
    assert set(download["period_label"]) == {"2023"}


def test_tile_figure_by_change_else_by_value():
    by_change = panels.tile_figure(
        panels.places_panel(analyst_sample(), "telecom_fraud", "cases", "2023", True, EN), EN
    )
    assert by_change.layout.title.text.replace("<br>", " ").startswith(EN.text("chart_tiles") + " · ")  # wrapped
    by_value = panels.tile_figure(panels.places_panel(with_derived(), "telecom_fraud", "cases", "2023", True, EN), EN)
    assert (
        by_value.layout.title.text.replace("<br>", " ")
        == f"{EN.text('chart_tiles_value')} · telecom fraud · cases recorded (起) · 2023"
    )


def test_places_panel_partial_period_has_no_years_and_unknown_measure_is_neutral():
    places = panels.places_panel(analyst_sample(), "telecom_fraud", "cases", "2024-H1", True, EN)
    assert places.ranking["period_label"].tolist() == ["2024-H1"]
    rows = analyst_sample().assign(measure="no-such-measure")
    assert panels.places_panel(rows, "telecom_fraud", "no-such-measure", "2023", True, EN).rise == "·"


# ------------------------------------------------------------------ cards and tables
def test_headline_cards_as_metrics():
    cards = pd.DataFrame(
        {
            "measure": ["cases", "solved", "no-such-measure"],
            "period_label": ["2024", "2024", "2023"],
            "value": [1200.0, None, 5.0],
            "unit": ["起", "起", "人"],
            "change_pct": [-20.0, 3.14, None],
            "trend_values": [[1400.0, 1200.0], [300.0], []],
        }
    )
    first, second, third = panels.headline(cards, EN)
    assert (first.label, first.value, first.delta, first.delta_color) == (
        "cases recorded · 2024",
        "1,200 起",
        "-20.0%",
        "inverse",
    )
    assert first.chart_data == [1400.0, 1200.0]
    assert (second.value, second.delta, second.delta_color, second.chart_data) == (
        "change only",
        "+3.1%",
        "normal",
        None,
    )
    assert (third.label, third.delta, third.delta_color) == ("no-such-measure · 2023", None, "off")
    assert len(panels.headline(cards, EN, limit=2)) == 2


def test_coverage_tables():
    documents = pd.DataFrame(
        {
            "doc_id": ["xm24"],
            "region": ["厦门市"],
            "published": ["2025-01-08"],
            "source": ["https://x"],
            "ingested_at": ["2026-01-01 10:00"],
        }
    )
    summary, kinds, reports = panels.coverage_tables(analyst_sample(), documents, EN)
    assert summary["reports"] == 1
    assert kinds.set_index("key").loc["half", ["period_type", "statistics"]].tolist() == ["half year", 1]
    assert list(reports.columns) == panels.COVERAGE_COLUMNS


def test_table_rows_and_statistics_table():
    stats = analyst_sample()
    rows = panels.table_rows(stats, "telecom_fraud", ("320000",))
    assert set(rows["doc_id"]) == {"js23"}
    assert "case" in set(panels.table_rows(stats, "telecom_fraud", ())["scope"])  # the table shows every scope
    assert panels.table_rows(stats, "drugs", ()).empty
    shown = panels.statistics_table(rows, panels.TABLE_COLUMNS, EN, headers=True)
    assert list(shown.columns) == [EN.column(c) for c in panels.TABLE_COLUMNS]
    review = panels.statistics_table(rows, panels.REVIEW_COLUMNS, ZH)
    assert list(review.columns) == panels.REVIEW_COLUMNS and review["category"].tolist() == ["电信网络诈骗"]


def test_document_highlights_mark_stated_figures_and_name_their_categories():
    stats = prepare_statistics(
        frame(
            city(doc_id="d", start=2, end=7, surface="1200起"),
            city(doc_id="d", category="drugs", measure="cases", start=12, end=14, surface="3起"),
        )
    )
    row = stats[stats["category"] == "drugs"].iloc[0]
    legend, body = panels.document_highlights({"text": "共有1200起；<毒品>3起。"}, stats, row, ZH)
    assert body.count("<mark") == 2 and "&lt;毒品&gt;" in body
    assert "outline:3px solid #000" in body.split("<mark")[2] and "outline" not in body.split("<mark")[1]
    assert legend.count("<mark") == 2


def test_correction_target_names_the_stable_key():
    row = pd.Series({"stat_id": "d:1:2", "stat_key": "k1", "category": "drugs", "value": 3.0, "period": 2024.0})
    target = panels.correction_target(row)
    assert (target.stat_id, target.stat) == ("d:1:2", "k1")
    assert target.current == {"deleted": False, "category": "drugs", "value": 3.0, "period": 2024}
    bare = panels.correction_target(pd.Series({"stat_id": "d:1:2", "category": "x", "value": 1.0, "period": None}))
    assert bare.stat == "d:1:2" and bare.current["period"] is None


# ------------------------------------------------------------------ the forms' store calls
def test_save_corrections_passes_what_the_viewer_saw(monkeypatch):
    saved = []
    monkeypatch.setattr(
        data,
        "save_correction",
        lambda db, stat, field, value, *, seen, author: saved.append((db, stat, field, value, seen, author)),
    )
    data.save_corrections(
        "s.duckdb", "k1", {"value": 4.0, "period": 2023}, {"value": 3.0, "period": float("nan")}, "ann"
    )
    assert saved == [("s.duckdb", "k1", "value", 4.0, 3.0, "ann"), ("s.duckdb", "k1", "period", 2023, "", "ann")]


def test_save_corrections_stops_at_the_first_refusal(monkeypatch):
    saved = []

    def refuse_period(db, stat, field, value, *, seen, author):
        if field == "period":
            raise ValueError("changed meanwhile")
        saved.append(field)

    monkeypatch.setattr(data, "save_correction", refuse_period)
    with pytest.raises(ValueError, match="changed meanwhile"):
        data.save_corrections("s", "k", {"period": 1, "value": 2.0}, {}, "a")
    assert saved == []


def test_ingest_uploads_refuses_a_bad_file_without_a_store(tmp_path):
    db = tmp_path / "none.duckdb"
    outcomes = data.ingest_uploads(str(db), [("a.exe", b"MZ")], region=" ", published=None)
    assert outcomes == [(False, "bad_type", {"name": "a.exe"})] and not db.exists()
