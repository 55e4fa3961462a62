"""Unit tests of the dashboard's pure functions (metrics/views/): frames built by hand."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from metrics import extract, to_frame
from metrics.views.data import corrections_to_save, resolve_db_path, upload_problem, valid_date
from metrics.views.export import download_name, export_table, table_csv, table_xlsx
from metrics.views.prepare import (
    add_display_period,
    complete_columns,
    derive_previous_year,
    drop_repeated_figures,
    pair_levels_with_changes,
    prepare_statistics,
)
from metrics.views.strings import load_ui_strings, read_string_table
from metrics.views.text import display_table, document_html, mark_in_sentence

ROOT = Path(__file__).resolve().parent.parent
ZH, EN = load_ui_strings("zh"), load_ui_strings("en")


def stat(**fields) -> dict:
    """One statistic row with sensible defaults."""
    row = dict(
        doc_id="d1",
        region="苍南县",
        published="2025-01-10",
        metric="刑事打处",
        category="criminal",
        kind="count",
        value=2129.0,
        unit="人",
        qualifier="exact",
        direction=None,
        basis=None,
        period=2024,
        surface="2129人",
        start=10,
        end=15,
        sentence="全年刑事打处2129人。",
        period_label="2024",
        measure="punished",
        scope="area",
        region_code="330327",
        province="330000",
        unit_norm="persons",
    )
    row.update(fields)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    """Rows as a frame with every column the view functions read."""
    return complete_columns(pd.DataFrame(list(rows)))


def change(**fields) -> dict:
    base = dict(kind="change_pct", value=7.8, unit="%", direction="up", basis="yoy", surface="7.8%", start=30, end=34)
    return stat(**{**base, **fields})


# ------------------------------------------------------------------ preparing: dedup, periods, derived


def test_a_figure_stated_twice_in_one_report_counts_once():
    rows = frame(stat(start=5, end=10), stat(start=200, end=205), stat(doc_id="d2"))
    kept = drop_repeated_figures(rows)
    assert len(kept) == 2 and sorted(kept["start"]) == [5, 10]


def test_different_figures_are_not_merged():
    assert len(drop_repeated_figures(frame(stat(), stat(value=684.0, metric="逮捕")))) == 2


def test_partial_periods_keep_their_label():
    out = add_display_period(
        frame(stat(), stat(period_label="2024-H1"), stat(period=None, period_label=None), stat(period_label=None))
    )
    assert out["period_display"].tolist() == ["2024", "2024-H1", "", "2024"]
    assert out["period_type"].tolist() == ["year", "half", "none", "none"]
    assert out["is_partial"].tolist() == [False, True, True, True]  # no label: not known to be a whole year


def test_previous_year_is_derived_from_count_and_yoy_change():
    derived = derive_previous_year(frame(stat(), change()))
    assert len(derived) == 1
    row = derived.iloc[0]
    assert row["value"] == 1975.0  # 2129 / 1.078 = 1974.95…, rounded to the source's 4 digits
    assert row["period"] == 2023 and row["derived"] and row["qualifier"] == "approx"
    assert row["stat_id"] != row["source_stat_id"] and row["stat_id"].endswith("~prev")


def test_derived_from_a_fall():
    derived = derive_previous_year(frame(stat(value=90.0), change(direction="down", value=10.0)))
    assert derived.iloc[0]["value"] == pytest.approx(100.0)


@pytest.mark.parametrize(
    "other",
    [
        change(basis=None),  # not year-on-year
        change(unit="个百分点"),  # percentage points are not a ratio
        change(metric="逮捕"),  # another metric
        change(direction="down", value=100.0),  # a fall of 100% has no previous value
    ],
    ids=["no-basis", "points", "other-metric", "minus-100"],
)
def test_no_derived_value_without_a_matching_change(other):
    assert derive_previous_year(frame(stat(), other)).empty


def test_ambiguous_pairs_derive_nothing():
    assert derive_previous_year(frame(stat(), stat(value=5.0, start=50), change())).empty


def test_derived_partial_period_moves_its_label():
    derived = derive_previous_year(frame(stat(period_label="2024-H1"), change(period_label="2024-H1")))
    assert derived.iloc[0]["period_label"] == "2023-H1"


def test_previous_year_moves_every_year_of_a_span():
    derived = derive_previous_year(
        frame(
            stat(period_label="2024-01/2024-10"),
            change(period_label="2024-01/2024-10"),
            stat(metric="逮捕", period_label="2023-11-15/2024-01-31"),
            change(metric="逮捕", period_label="2023-11-15/2024-01-31"),
        )
    )
    assert sorted(derived["period_label"]) == ["2022-11-15/2023-01-31", "2023-01/2023-10"]


def test_a_whole_year_label_is_no_partial_period():
    out = add_display_period(frame(stat(period_label="2024"), stat(period_label="2024-01/2024-10")))
    assert out["is_partial"].tolist() == [False, True]
    assert out["period_display"].tolist() == ["2024", "2024-01/2024-10"]


def test_prepare_marks_derived_rows_and_keeps_stated_ones():
    prepared = prepare_statistics(frame(stat(), change()))
    assert prepared["derived"].sum() == 1
    stated = prepared[~prepared["derived"]]
    assert sorted(stated["value"]) == [7.8, 2129.0]
    assert stated.loc[stated["kind"] == "count", "yoy_change_pct"].iloc[0] == pytest.approx(7.8)


def test_prepare_accepts_the_extractor_frame_and_an_empty_one():
    assert prepare_statistics(to_frame(extract("全年刑事打处2129人", published="2025-01-10"))).shape[0] >= 1
    assert prepare_statistics(to_frame([])).empty


def test_pairs_use_signed_changes():
    pairs = pair_levels_with_changes(prepare_statistics(frame(stat(), change(direction="down", value=3.0))))
    assert pairs["change_pct"].tolist() == [-3.0]


# ----------------------------------------------------------------------------------- sample table


def sample() -> pd.DataFrame:
    return prepare_statistics(
        frame(
            stat(),
            change(),
            stat(
                doc_id="d2",
                region="厦门市",
                category="drugs",
                metric="破获毒品案件",
                value=12.0,
                unit="起",
                period=2022,
            ),
            stat(
                doc_id="d3",
                region="厦门市",
                category="telecom_fraud",
                metric="电诈警情",
                kind="change_pct",
                value=14.0,
                unit="%",
                direction="down",
                basis="yoy",
                period=2023,
                period_label="2023-Q1",
            ),
            stat(doc_id="d4", region="大连市", category="other", metric="", value=5.0, period=None),
        )
    )


def test_download_names_say_what_and_which_slice():
    assert download_name("yoy-changes", "drugs", "csv") == "police-stats_yoy-changes_drugs.csv"


# --------------------------------------------------------------------------- evidence and documents


def test_number_is_marked_in_its_sentence():
    marked = mark_in_sentence(pd.Series(["全年刑事打处2129人。", "", None]), pd.Series(["2129人", "5起", "7%"]))
    assert marked.tolist() == ["全年刑事打处【2129人】。", "【5起】", "【7%】"]


def test_display_table_neutralises_formula_text():
    table = display_table(sample().assign(metric='=HYPERLINK("x")'), ["metric", "evidence", "value"])
    assert table["metric"].str.startswith("'=").all()
    assert pd.api.types.is_numeric_dtype(table["value"])


def test_document_is_escaped_and_every_statistic_highlighted():
    text = "<script>alert(1)</script>打处2129人，逮捕684人。"
    spans = pd.DataFrame({"start": [27, 34], "end": [32, 38], "category": ["criminal", "criminal"]})
    assert text[27:32] == "2129人"
    body = document_html(text, spans, ZH.category_colours(), {}, selected_start=27)
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert body.count("<mark") == 2 and "outline" in body
    assert re.sub(r"<[^>]+>", "", body).replace("&lt;", "<").replace("&gt;", ">") == text


def test_overlapping_and_out_of_range_spans_are_skipped():
    spans = pd.DataFrame({"start": [0, 1, 8], "end": [3, 2, 99], "category": ["drugs"] * 3})
    assert document_html("abcdefghij", spans, {}, {}).count("<mark") == 1


# ----------------------------------------------------------------------------------------- exports


def test_table_csv_has_bom_and_neutralised_cells_and_numbers():
    data = sample().assign(metric="=1+2", region="@SUM(A1)")
    raw = table_csv(data)
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert (back["metric"] == "'=1+2").all() and (back["region"] == "'@SUM(A1)").all()
    assert back["value"].dtype == float and len(back) == len(data)


def test_chart_data_csv_is_exactly_the_chart_data():
    from metrics.store.exports import csv_bytes

    counts = pd.DataFrame(
        {"category": ["criminal", "drugs"], "period_display": ["2024", "2023-Q1"], "statistics": [2, 1]}
    )
    back = pd.read_csv(io.BytesIO(csv_bytes(counts)), encoding="utf-8-sig", dtype={"period_display": str})
    pd.testing.assert_frame_equal(back, counts)


def test_xlsx_holds_the_table_with_neutralised_cells():
    data = sample().assign(metric='=HYPERLINK("http://x")')
    book = openpyxl.load_workbook(io.BytesIO(table_xlsx(data)))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    metric = header.index("metric")
    values = [row[metric].value for row in sheet.iter_rows(min_row=2)]
    assert len(values) == len(data) and all(v.startswith("'=") for v in values)
    assert all(row[metric].data_type == "s" for row in sheet.iter_rows(min_row=2))


def test_xlsx_download_of_a_sentence_with_control_characters_works():
    """openpyxl refuses \x0b and \x1b in a cell (IllegalCharacterError): the one Excel writer drops them."""
    data = sample().assign(sentence="打处\x0b2129人\x1b。")
    book = openpyxl.load_workbook(io.BytesIO(table_xlsx(data)))
    sheet = book.active
    sentence = [cell.value for cell in sheet[1]].index("sentence")
    values = {row[sentence].value for row in sheet.iter_rows(min_row=2)}
    assert values == {"打处2129人。"}


def test_export_table_marks_derived_and_corrected():
    assert {"derived", "corrected", "is_partial"} <= set(export_table(sample()).columns)


# ---------------------------------------------------------------------------- data access helpers


def test_db_path_precedence():
    assert resolve_db_path(["--db=x.duckdb"], {}, "d") == "x.duckdb"
    assert resolve_db_path(["--other"], {}, "d") == "d"
    assert resolve_db_path([], {"METRICS_DB": ""}, "d") == "d"


def test_uploads_are_checked_for_type_and_size():
    assert upload_problem("a.html", 10, 5) is None
    assert upload_problem("a.TXT", 5 * 2**20, 5) is None
    too_big = upload_problem("a.txt", 5 * 2**20 + 1, 5)
    assert too_big.message_key == "too_large" and "5 MB" in ZH.text(too_big.message_key, **too_big.values)
    assert upload_problem("a.exe", 1, 5).message_key == "bad_type"


def test_dates_for_uploads():
    assert valid_date(" 2025-01-10 ") == "2025-01-10" and valid_date("") is None
    with pytest.raises(ValueError):
        valid_date("2025-13-01")


def test_only_changed_fields_become_corrections():
    current = {"category": "drugs", "value": 12.0, "period": 2022}
    assert corrections_to_save(current, {"category": "drugs", "value": 12.0, "period": 2022}) == {}
    assert corrections_to_save(current, {"category": "vice", "value": 13.0, "period": 2021}) == {
        "category": "vice",
        "value": 13.0,
        "period": 2021,
    }
    assert corrections_to_save({"period": pd.NA}, {"period": 2020}) == {"period": 2020}


# ----------------------------------------------------------------------------------- string table


def test_every_label_exists_in_both_languages():
    table = read_string_table()
    for section in ("labels", "columns"):
        for key, entry in table[section].items():
            assert entry.get("zh") and entry.get("en"), f"{section}.{key}"


def test_every_category_has_its_own_colour_and_a_bilingual_label():
    keys = ZH.category_keys()
    assert list(ZH.category_colours()) == keys and len(set(ZH.category_colours().values())) == len(keys)
    assert EN.category("drugs") == ZH.category("drugs") == "毒品 drugs"


# ------------------------------------------------------- integration with whatever the pipeline gives


def test_real_pipeline_relations_hold():
    frames = []
    for path in sorted((ROOT / "data" / "corpus" / "dev").glob("*.json"))[:10]:
        doc = json.loads(path.read_text(encoding="utf-8"))
        frames.append(
            to_frame(extract(doc["text"], published=doc["published"], region=doc["region"], doc_id=doc["doc_id"]))
        )
    extracted = pd.concat(frames, ignore_index=True)
    data = prepare_statistics(extracted)
    stated = data[~data["derived"]]
    assert 0 < len(stated) <= len(extracted)  # repeated figures count once, nothing is invented
    assert set(stated["doc_id"].astype(str)) <= set(extracted["doc_id"])
    assert set(data.loc[data["derived"], "kind"].astype(str)) <= {"count", "amount", "quantity"}


# ------------------------------------------------------------------ the analyst's dashboard: indicators
from metrics.views import figures as figs  # noqa: E402
from metrics.views import indicators as ind  # noqa: E402
from metrics.views.choices import measure_choices  # noqa: E402
from metrics.views.labels import FIGURE_LABEL_KEYS  # noqa: E402
from metrics.views.prepare import period_types, round_significant, significant_digits  # noqa: E402
from metrics.views.rows import period_bounds  # noqa: E402
from metrics.views.state import PageState, choose, query_from_state, state_from_query  # noqa: E402


def city(**fields) -> dict:
    """A statistic of 厦门市 (350200), telecom-fraud cases, by default."""
    base = dict(
        doc_id="xm24",
        region="厦门市",
        region_code="350200",
        province="350000",
        category="telecom_fraud",
        measure="cases",
        metric="电诈发案",
        unit="起",
        unit_norm="cases",
        value=1200.0,
        surface="1200起",
        period=2024,
        period_label="2024",
        published="2025-01-08",
    )
    return stat(**{**base, **fields})


def analyst_sample() -> pd.DataFrame:
    return prepare_statistics(
        frame(
            city(),
            city(
                kind="change_pct",
                value=20.0,
                unit="%",
                unit_norm="percent",
                direction="down",
                basis="yoy",
                surface="20%",
                start=30,
                end=33,
            ),
            city(doc_id="xm24h1", value=500.0, period_label="2024-H1", published="2024-07-10"),
            city(doc_id="xm23", value=1400.0, period=2023, period_label="2023", published="2024-01-05"),
            city(
                doc_id="js23",
                region="江苏省",
                region_code="320000",
                province="320000",
                kind="change_pct",
                value=18.4,
                unit="%",
                unit_norm="percent",
                direction="down",
                basis="yoy",
                period=2023,
                period_label="2023",
            ),
            city(
                doc_id="tj23",
                region="天津市",
                region_code="120000",
                province="120000",
                kind="change_pct",
                value=5.0,
                unit="%",
                unit_norm="percent",
                direction="up",
                basis="yoy",
                period=2023,
                period_label="2023",
            ),
            city(doc_id="xm24", measure="solved", metric="破获电诈案件", value=300.0, start=60, end=64),
            city(doc_id="xm24", scope="case", metric="某团伙涉案", value=99999.0, start=80, end=86),
            city(
                doc_id="xm24", measure="cases", kind="rate", unit="%", unit_norm="percent", value=35.8, start=90, end=95
            ),
        )
    )


def test_period_types_and_bounds():
    assert period_types(
        pd.Series(["2024", "2024-H2", "2024-Q3", "2024-08", "2024-01/2024-10", "2024-02-09/2024-02-17", "", None])
    ).tolist() == ["year", "half", "quarter", "month", "months", "days", "none", "none"]
    assert period_bounds("2024-Q3") == (pd.Timestamp("2024-07-01").date(), pd.Timestamp("2024-09-30").date())
    assert period_bounds("2023-11-15/2024-01-31")[1].isoformat() == "2024-01-31"
    assert period_bounds("2024-12")[1].isoformat() == "2024-12-31"
    assert period_bounds("sometime") is None


def test_significant_digits_and_rounding():
    assert significant_digits(pd.Series([2129.0, 2441000.0, 7.8, 120.5])).tolist() == [4, 4, 2, 4]
    assert round_significant(pd.Series([1974.9536178107605]), pd.Series([4])).tolist() == [1975.0]


def test_derived_label_of_a_span_moves_every_year():
    derived = derive_previous_year(
        frame(stat(period_label="2023-11-15/2024-01-31"), change(period_label="2023-11-15/2024-01-31"))
    )
    assert derived.iloc[0]["period_label"] == "2022-11-15/2023-01-31"


def test_indicator_points_whole_years_only_area_only_and_derived_marked():
    data = analyst_sample()
    points = ind.indicator_points(data, "telecom_fraud", "cases", "cases")
    assert points["period_label"].tolist() == ["2023", "2024"]
    # 2023: stated 1400 beats the 1500 derived from 1200 and −20%
    assert points["value"].tolist() == [1400.0, 1200.0] and not points["derived"].any()
    assert points["alternatives"].tolist() == [2, 1]
    assert 99999.0 not in points["value"].tolist()  # a single case's detail is not charted


def test_indicator_points_partial_periods_never_with_years():
    data = analyst_sample()
    partial = ind.indicator_points(data, "telecom_fraud", "cases", "cases", partial=True)
    assert partial["period_label"].tolist() == ["2024-H1"]
    assert ind.indicator_points(data, "telecom_fraud", "cases", "cases", ("320000",)).empty


def test_indicator_points_without_derived_and_derived_alone():
    data = prepare_statistics(
        frame(
            city(),
            city(
                kind="change_pct",
                value=20.0,
                unit="%",
                unit_norm="percent",
                direction="down",
                basis="yoy",
                surface="20%",
                start=30,
                end=33,
            ),
        )
    )
    points = ind.indicator_points(data, "telecom_fraud", "cases", "cases")
    assert points["value"].tolist() == [1500.0, 1200.0] and points["derived"].tolist() == [True, False]
    assert ind.indicator_points(data, "telecom_fraud", "cases", "cases", include_derived=False)["value"].tolist() == [
        1200.0
    ]


def test_choices_units_and_label():
    data = analyst_sample()
    assert measure_choices(data, "telecom_fraud") == ["cases", "solved"]
    assert ind.indicator_choices(data, "telecom_fraud") == ["cases", "solved"]
    assert ind.resolve_indicator(data, "telecom_fraud", "cases") == ("cases", "cases", "起")
    assert ind.indicator_label("电信网络诈骗", "发案", "起") == "电信网络诈骗 · 发案 (起)"
    assert ind.category_choices(data, ["drugs", "telecom_fraud"]) == ["telecom_fraud"]
    assert ind.region_choices(data)["region_key"].tolist()[0] == "350200"


def test_indicator_choices_name_a_second_unit():
    data = prepare_statistics(
        frame(city(), city(doc_id="c", value=9.0), city(doc_id="b", unit="个", unit_norm="items", value=3.0))
    )
    assert ind.indicator_choices(data, "telecom_fraud") == ["cases", "cases/items"]
    assert ind.resolve_indicator(data, "telecom_fraud", "cases/items") == ("cases", "items", "个")


def test_change_points_stated_wins_and_computed_from_two_years():
    data = analyst_sample()
    changes = ind.change_points(data, "telecom_fraud", "cases", "2023")
    assert list(zip(changes["region"], changes["change_pct"])) == [("江苏省", -18.4), ("天津市", 5.0)]
    stated_2024 = ind.change_points(data, "telecom_fraud", "cases", "2024")
    assert stated_2024["change_pct"].tolist() == [-20.0] and not stated_2024["computed"].any()
    computed = prepare_statistics(frame(city(), city(doc_id="xm23", value=1500.0, period=2023, period_label="2023")))
    out = ind.change_points(computed, "telecom_fraud", "cases", "2024")
    assert out["change_pct"].tolist() == [-20.0] and out["computed"].tolist() == [True]


def test_change_tone_follows_the_measures_sign():
    changes = pd.Series([-10.0, 10.0, 0.0])
    assert ind.change_tone(changes, "-").tolist() == ["good", "bad", "neutral"]
    assert ind.change_tone(changes, "+").tolist() == ["bad", "good", "neutral"]
    assert ind.change_tone(changes, "·").tolist() == ["neutral"] * 3
    assert ind.load_measures()["cases"].rise == "-" and ind.load_measures()["solved"].rise == "+"


def test_tile_grid_fills_only_province_level_figures():
    changes = pd.DataFrame({"region_code": ["320000", "350200"], "change_pct": [-18.4, -20.0]})
    tiles = ind.tile_grid(changes, "change_pct", ind.load_provinces(), "zh")
    assert len(tiles) == 34 and tiles["change_pct"].notna().sum() == 1
    assert tiles.loc[tiles["province_code"] == "32", "name"].item() == "江苏"
    positions = list(zip(tiles["row"], tiles["col"]))
    assert len(set(positions)) == len(positions)  # one square per place


def test_value_ranking_and_headline_cards():
    data = analyst_sample()
    points = ind.indicator_points(data, "telecom_fraud", "cases", "cases")
    assert ind.value_ranking(points, "2024")["value"].tolist() == [1200.0]
    cards = ind.headline_cards(data, "350200", "telecom_fraud")
    card = cards.set_index("measure").loc["cases"]
    assert card["period_label"] == "2024" and card["value"] == 1200.0 and card["change_pct"] == -20.0
    assert card["trend_years"] == [2023, 2024] and card["trend_values"] == [1400.0, 1200.0]
    assert ind.headline_cards(data, "999999", "telecom_fraud").empty


def test_category_multiples_and_sources():
    data = analyst_sample()
    multiples = ind.category_multiples(data, "telecom_fraud", ())
    assert set(multiples["measure"]) == {"cases", "solved"}
    derived = prepare_statistics(
        frame(
            city(),
            city(
                kind="change_pct",
                value=20.0,
                unit="%",
                unit_norm="percent",
                direction="down",
                basis="yoy",
                surface="20%",
                start=30,
                end=33,
            ),
        )
    )
    row = derived[derived["derived"]].iloc[0]
    assert sorted(ind.sources_of(derived, row["stat_id"])["kind"].astype(str)) == ["change_pct", "count"]
    assert len(ind.sources_of(derived, "nope")) == 0


def test_coverage_summary_and_table():
    data = analyst_sample()
    documents = pd.DataFrame(
        {
            "doc_id": ["xm24", "js23", "empty"],
            "region": ["厦门市", "江苏省", "x"],
            "ingested_at": ["2026-01-01 10:00", "2026-02-01 09:30", "2026-01-05 00:00"],
        }
    )
    summary, table = ind.coverage(data, documents)
    assert summary["reports"] == 3 and summary["years"] == (2023, 2024) and summary["regions"] == 3
    assert summary["provinces"] == 3 and summary["regions_3y"] == 0  # 江苏, 天津, 福建 (厦门); two years at most
    assert summary["latest_update"] == "2026-02-01 09:30" and summary["period_types"]["half"] == 1
    assert table.set_index("doc_id").loc["empty", "statistics"] == 0


def test_points_download_labels_keys_and_own_ids():
    data = prepare_statistics(
        frame(
            city(value=2129.0),
            city(
                kind="change_pct",
                value=7.8,
                unit="%",
                unit_norm="percent",
                direction="up",
                basis="yoy",
                surface="7.8%",
                start=30,
                end=34,
            ),
        )
    )
    points = ind.indicator_points(data, "telecom_fraud", "cases", "cases")
    out = ind.points_download(
        points,
        category="telecom_fraud",
        category_label="电信网络诈骗",
        measure="cases",
        measure_label="发案",
        lang="zh",
    )
    derived = out[out["derived"]].iloc[0]
    assert derived["value"] == 1975.0 and derived["id"] != derived["source_id"]
    assert derived["period_label"] == "2023" and derived["region_code"] == "350200"
    assert set(out["measure_label"]) == {"发案"} and out["indicator"].iloc[0] == "电信网络诈骗 · 发案"


def test_figures_hover_units_integer_axes_and_hollow_derived():
    data = prepare_statistics(
        frame(
            city(),
            city(
                kind="change_pct",
                value=20.0,
                unit="%",
                unit_norm="percent",
                direction="down",
                basis="yoy",
                surface="20%",
                start=30,
                end=33,
            ),
        )
    )
    points = ind.indicator_points(data, "telecom_fraud", "cases", "cases")
    labels = {k: k for k in FIGURE_LABEL_KEYS}
    figure = figs.indicator_figure(points, title="t", unit="起", unit_family="cases", partial=False, labels=labels)
    trace = figure.data[0]
    assert list(trace.x) == [2023, 2024] and list(trace.marker.color)[0] == "white"
    assert "1,200 起" in trace.hovertext[1] and "xm24" in trace.hovertext[1]
    assert figure.layout.yaxis.tickformat == ",d" and figure.layout.xaxis.dtick == 1
    assert figure.layout.yaxis.title.text == "axis_value (起)"
    assert figure.layout.title.text == "t" and figure.layout.title.font.size > 14  # the chart's heading on the page
    long = "firearms and explosives · money frozen or protected (<b>起)"  # the longest English title; a hostile unit
    figure = figs.indicator_figure(points, title=long, unit="起", unit_family="cases", partial=False, labels=labels)
    assert figure.layout.title.text == "firearms and explosives ·<br>money frozen or protected<br>(&lt;b&gt;起)"
    assert figure.layout.margin.t == 60 + 2 * 24
    assert figs.wrapped_title("a · b · c") == "a · b · c"  # short: one line
    for title in (f"{long} · 2022", "Provinces (province-level reports): year-on-year change · telecom fraud · 2022"):
        lines = html.unescape(figs.wrapped_title(title)).split("<br>")
        assert " ".join(lines) == title and all(len(text) <= figs.TITLE_LINE for text in lines)  # words whole
    assert any(t.line.dash == "dash" for t in figure.data[1:])
    hostile = points.assign(sentence="<img src=x onerror=alert(1)>")
    assert "<img" not in " ".join(figs.hover_text(hostile, labels))


def test_multiples_figure_is_a_valid_plotly_figure_with_a_panel_per_measure():
    import plotly.graph_objects as go

    data = analyst_sample()
    points = ind.category_multiples(data, "telecom_fraud", ())
    labels = {k: k for k in FIGURE_LABEL_KEYS}
    figure = figs.multiples_figure(points, {"cases": "<b>发案</b>"}, labels=labels)
    go.Figure(figure.to_dict())  # built unvalidated for speed: Plotly's validation must accept it
    panels = list(dict.fromkeys(points["measure"]))
    assert len(figure.data) == points.groupby(["measure", "region_key"]).ngroups
    titles = [a.text for a in figure.layout.annotations]
    assert len(titles) == len(panels) and titles[panels.index("cases")] == "&lt;b&gt;发案&lt;/b&gt;"
    first = [t for t in figure.data if t.xaxis == "x"]
    assert first and all(t.showlegend for t in first) and not any(t.showlegend for t in figure.data if t.xaxis != "x")
    for trace in figure.data:
        assert list(trace.x) == sorted(trace.x) and len(trace.hovertext) == len(trace.x) == len(trace.customdata)
    hollow = sum(list(t.marker.color).count("white") for t in figure.data)  # a derived value: a hollow marker
    assert hollow == int(points["derived"].sum())


def test_change_and_tile_figures_colour_by_tone():
    changes = pd.DataFrame(
        {
            "region": ["天津市", "江苏省"],
            "region_code": ["120000", "320000"],
            "change_pct": [-27.8, -15.3],
            "computed": [False, False],
            "stat_id": ["a", "b"],
            "doc_id": ["t", "j"],
            "sentence": ["s", "s"],
        }
    )
    tones = ind.change_tone(changes["change_pct"], "-")
    labels = {"source": "s", "computed": "c", "axis_change": "%", "no_figure": "-"}
    figure = figs.change_figure(changes, tones, title="t", labels=labels)
    assert set(figure.data[0].marker.color) == {figs.TONE_COLOURS["good"]}
    tiles = ind.tile_grid(changes, "change_pct", ind.load_provinces(), "en")
    tile_figure = figs.tile_map_figure(
        tiles, "change_pct", ind.change_tone(tiles["change_pct"].fillna(0), "-"), title="t", labels=labels, suffix="%"
    )
    assert sum(v == 2 for row in tile_figure.data[0].z for v in row) == 2  # two tiles "good"
    long = "Provinces' change · firearms and explosives · money frozen or protected (<i>起) · 2022"
    for figure in (
        figs.change_figure(changes, tones, title=long, labels=labels),
        figs.tile_map_figure(tiles, "change_pct", None, title=long, labels=labels),
    ):  # every chart's title wrapped for a phone, a unit from a report escaped
        lines = figure.layout.title.text.split("<br>")
        assert len(lines) >= 4 and "&lt;i&gt;" in "".join(lines) and figure.layout.margin.t >= 50 + 3 * 24


def test_state_link_round_trip_keeps_only_choices():
    chosen = PageState(
        lang="en",
        tab="places",
        category="telecom_fraud",
        measure="cases",
        regions=("350200",),
        period="2022",
        derived=False,
        point="xm:1:2",
    )
    defaults = PageState(category="telecom_fraud", measure="reports", period="2024")
    query = query_from_state(chosen, defaults)
    assert query == {
        "lang": "en",
        "tab": "places",
        "measure": "cases",
        "regions": ["350200"],
        "period": "2022",
        "derived": "false",
        "point": "xm:1:2",
    }
    back = state_from_query(query)
    assert back.regions == ("350200",) and back.derived is False and back.tab == "places" and back.lang == "en"
    assert query_from_state(defaults, defaults) == {}


def test_state_from_a_bad_link_falls_back():
    state = state_from_query({"lang": "fr", "tab": "nowhere", "periods": "decades", "regions": "350200,320000"})
    assert (state.lang, state.tab, state.periods) == ("zh", "indicator", "years")
    assert state.regions == ("350200", "320000")
    assert choose("gone", ["a", "b"], "b") == "b"


def test_indicator_units_match_resolve_indicator():
    data = prepare_statistics(
        frame(
            city(),
            city(doc_id="c", value=9.0),
            city(doc_id="d", unit="件", value=2.0),
            city(doc_id="b", unit="个", unit_norm="items", value=3.0),
        )
    )
    units = ind.indicator_units(data, "telecom_fraud")
    assert units == {"cases": "起", "cases/items": "个"}
    assert all(ind.resolve_indicator(data, "telecom_fraud", c)[2] == u for c, u in units.items())


def test_category_names_come_from_categories_yaml_in_each_language():
    assert load_ui_strings("zh").category_name("telecom_fraud") == "电信网络诈骗"
    assert load_ui_strings("en").category_name("telecom_fraud") == "telecom fraud"
    assert load_ui_strings("en").category_name("no-such-key") == "no-such-key"
