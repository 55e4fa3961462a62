"""Series points, derived values and disagreements (metrics/store/series.py) on the shipped corpus's annotations.

The input is what the store will hold once statistics carry schema v2's fields: one row per gold statistic
of data/corpus/dev and dev-genres, with its document's doc_id, region_code and source, and its sentence
cut from the text. (``unit_norm`` is not in the annotations: the unit as written stands in for it, which
only keeps 人 and 名 apart.)

What the shipped corpus holds, checked here: no series point is stated by two reports (the reports of one
place cover different periods: Xiamen 2020, 2021-10, 2022-06, 2025; Jiangsu 2022, 2023, summer 2023...),
and no report's count with its yoy change falls on a point another report states (checked also with
category and unit ignored). Statements meet only inside reports: qiongshan-2020's 上年同期 figures against
its own changes, nanping-2011's and taiwan-2009's changes in % against their changes in counts (all
agree), and fuding-2017-03-traffic, whose changes in % and in counts contradict each other: the real
disagreements of the corpus. Disagreements between reports are shown on real rows with one figure changed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import regex

from metrics.store.rounding import telling_apart, value_interval, written_step
from metrics.store.series import disagreements, series_points
from metrics.store.series_output import describe_disagreement, flat_points
from metrics.store.statements import (
    KEY,
    derived_counts,
    metric_key,
    previous_period,
    series_statements,
    stated_counts,
    yoy_changes,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS_FILES = sorted((ROOT / "data" / "corpus").glob("dev*/*.json"))
_SENTENCE_END = regex.compile(r"[。!?!?;;\n]")


def sentence_at(text: str, start: int) -> str:
    """The sentence of ``text`` around offset ``start``."""
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    end = _SENTENCE_END.search(text, start)
    return text[begin : end.end() if end else len(text)].strip()


def corpus_frame() -> pd.DataFrame:
    rows = []
    for path in CORPUS_FILES:
        report = json.loads(path.read_text(encoding="utf-8"))
        for stat in report["metrics"]:
            rows.append(
                {
                    **stat,
                    "doc_id": report["doc_id"],
                    "region": report["region"],
                    "region_code": report["region_code"],
                    "source": report["source"],
                    "published": report["published"],
                    "end": stat["start"] + len(stat["surface"]),
                    "sentence": sentence_at(report["text"], stat["start"]),
                    "unit_norm": stat["unit"],
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return corpus_frame()


@pytest.fixture(scope="module")
def points(frame) -> pd.DataFrame:
    return series_points(frame)


def point(points: pd.DataFrame, **key) -> pd.Series:
    chosen = points
    for column, value in key.items():
        chosen = chosen[chosen[column] == value]
    assert len(chosen) == 1, key
    return chosen.iloc[0]


# --------------------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    "surface, value, qualifier, low, high",
    [
        ("2129人", 2129, "exact", 2128.5, 2129.5),
        ("1.17万人", 11700, "exact", 11650, 11750),  # 1.17万 is ±50
        ("48.9万余起", 489000, "at_least", 489000, 490000),
        ("9000余万条", 90000000, "at_least", 90000000, 100000000),
        ("约2000人", 2000, "approx", 1500, 2500),
        ("近八千人", 8000, "approx", 7500, 8500),
        ("不到300起", 300, "at_most", 200, 300),
        ("1.8萬(wàn)餘人", 18000, "at_least", 18000, 19000),
        ("5,324件", 5324, "exact", 5323.5, 5324.5),
        ("上升7.8%", 7.8, "exact", 7.75, 7.85),
        ("下降16.55%", 16.55, "exact", 16.545, 16.555),
        ("零死亡", 0, "exact", -0.5, 0.5),
    ],
)
def test_the_interval_a_surface_allows(surface, value, qualifier, low, high):
    got = value_interval(value, qualifier, written_step(surface))
    assert got == pytest.approx((low, high))


@pytest.mark.parametrize(
    "label, previous",
    [
        ("2024", "2023"),
        ("2024-H1", "2023-H1"),
        ("2023-Q1", "2022-Q1"),
        ("2021-10", "2020-10"),
        ("2024-01/2024-10", "2023-01/2023-10"),
        ("2023-11-15/2024-01-31", "2022-11-15/2023-01-31"),
        ("2024-02-29/2024-03-05", None),
        ("", None),
        (None, None),
    ],
)
def test_previous_period_keeps_the_span(label, previous):
    assert previous_period(label) == previous


def test_metric_key_ignores_script_notes_and_quotes():
    assert metric_key("破獲“兩搶”案件") == metric_key("破获两抢案件")
    assert metric_key("立各类刑事案件(上年同期)") == metric_key("立各类刑事案件")
    assert metric_key("立现案") != metric_key("立各类刑事案件")


# ------------------------------------------------------------------------------------ the corpus


def test_only_area_counts_with_a_place_measure_and_period_form_series(frame, points):
    statements = series_statements(frame)
    stated = statements[~statements["derived"]]
    area_counts = frame[(frame["scope"] == "area") & (frame["kind"] == "count") & frame["period_label"].notna()]
    assert len(stated) == len(area_counts)
    assert set(points["kind"]) == {"count"}
    case_stats = frame[(frame["scope"] == "case") & (frame["kind"] == "count")]
    assert len(case_stats) > 0
    assert not stated["surface"].isin(set(case_stats["surface"]) - set(area_counts["surface"])).any()
    assert not points.duplicated(subset=list(KEY)).any()


def test_a_count_and_its_change_derive_the_previous_year(points):
    # cangnan-2024: 全年刑事打处2129人、逮捕684人,分别同比上升7.8%、42.2% (no 2023 report is shipped)
    punished = point(points, region_code="330327", measure="punished", period_label="2023")
    assert punished["value"] == 1975 and punished["derived"] and punished["n_sources"] == 0
    assert punished["derived_doc_ids"] == ["cangnan-2024"]
    assert "2129人" in punished["derived_sentences"][0] and punished["agree"] is None
    arrested = point(points, region_code="330327", measure="arrested", period_label="2023")
    assert arrested["value"] == 481  # 684 / 1.422 = 481.0


def test_a_derived_value_is_rounded_to_the_figure_it_comes_from(frame):
    derived = derived_counts(stated_counts(frame), yoy_changes(frame))
    jiangsu = derived[(derived["doc_id"] == "jiangsu-2023-summer") & (derived["measure"] == "solved")]
    assert jiangsu["value"].tolist() == [29000.0]  # 3.5万起, 上升20.9% → 28949 → 2.9万
    assert jiangsu["period_label"].tolist() == ["2022-06-25/2022-08-18"]
    assert jiangsu["low"].iloc[0] == pytest.approx(34500 / 1.2095) and jiangsu["high"].iloc[0] == pytest.approx(
        35500 / 1.2085
    )


def test_a_change_in_counts_derives_too_and_agrees_with_the_percentage(points):
    # nanping-2011-gongbao: 安全生产各类事故1113起, 减少75起, 下降6.31% → 1188 both ways
    accidents = point(points, region_code="350700", measure="accidents", period_label="2010")
    assert accidents["derived_values"] == [1188.0, 1188.0] and accidents["agree"] is True
    assert accidents["derived"] and accidents["value"] == 1188


def test_a_fall_of_100_percent_derives_nothing(frame):
    derived = derived_counts(stated_counts(frame), yoy_changes(frame))
    assert not ((derived["doc_id"] == "fuding-2017-03-traffic") & (derived["metric"] == "桐山辖区交通事故")).any()
    assert ((derived["doc_id"] == "fuding-2017-03-traffic") & (derived["metric"] == "山前辖区交通事故")).any()


def test_stated_values_win_over_derived_ones_and_agree_with_them(points):
    # qiongshan-2020 states 2019 (上年同期) beside 2020 and its change: 670人, 下降14.0%, 上年同期779人
    apprehended = point(points, region_code="460107", measure="apprehended", period_label="2019")
    assert apprehended["value"] == 779 and not apprehended["derived"] and apprehended["agree"] is True
    assert apprehended["derived_values"] == [779.0]
    solved = point(points, region_code="460107", category="criminal", measure="solved", period_label="2019")
    assert solved["ambiguous"] and math.isnan(solved["value"]) and solved["agree"] is True
    assert sorted(solved["values"]) == [695.0, 858.0] and sorted(solved["derived_values"]) == [695.0, 858.0]


def test_several_facts_of_one_report_on_one_point_are_ambiguous_not_a_disagreement(points):
    tianjin = point(points, region_code="120000", category="theft_robbery", measure="solved", period_label="2022")
    assert tianjin["ambiguous"] and math.isnan(tianjin["value"]) and tianjin["agree"] is None
    assert sorted(tianjin["values"]) == [540.0, 2200.0, 6100.0] and tianjin["n_sources"] == 1


def test_the_shipped_corpus_disagrees_only_within_the_fuding_traffic_report(points):
    """How it was checked: every pair of statements of one point that should be one fact is compared.

    No point is stated by two reports; the points where statements meet are qiongshan-2020's 上年同期
    figures, nanping-2011's and taiwan-2009's changes in % and in counts (all agree), and
    fuding-2017-03-traffic's per-辖区 changes, which contradict each other: 桐城辖区发生3起同比减少2起
    下降66.67% (5 a year earlier by the count, 9 by the percentage), 山前辖区发生3起同比增多1起上升100%
    (2 or 1.5), and rises "from zero" written as 上升100% / 200% (增多2起 to 2起 is from 0).
    """
    assert points["n_sources"].max() == 1  # no point is stated by two reports
    compared = points[points["agree"].notna()]
    assert set(compared["region_code"]) == {"460107", "350700", "710000", "350982"}
    assert set(compared[compared["agree"] == False]["region_code"]) == {"350982"}  # noqa: E712
    flagged = disagreements(points)
    assert set(flagged["doc_id_a"]) | set(flagged["doc_id_b"]) == {"fuding-2017-03-traffic"}
    assert set(flagged["what"]) == {"derived"} and len(flagged) == 12
    tongcheng = flagged[flagged["surface_a"] == "3起 下降66.67%"].iloc[0]
    assert (tongcheng["value_a"], tongcheng["value_b"], tongcheng["surface_b"]) == (9.0, 5.0, "3起 减少2起")
    assert tongcheng["sentence_a"].startswith("桐城辖区发生3起同比减少2起下降66.67%")
    shanqian = flagged[(flagged["surface_a"] == "3起 上升100%") & (flagged["measure"] == "accidents")].iloc[0]
    assert shanqian["high_a"] < 1.51 and shanqian["value_b"] == shanqian["low_b"] == 2.0


def test_xiamen_series_has_its_sources(points):
    xiamen = points[points["region_code"] == "350200"]
    assert set(xiamen["period_label"]) >= {"2020", "2021-10", "2025"}
    solved = point(points, region_code="350200", measure="solved", category="criminal", period_label="2025")
    assert solved["value"] == 8029 and solved["doc_ids"] == ["xiamen-2025"]
    assert solved["sources"] == ["https://news.xmnn.cn/xmxw/202601/t20260110_388204.html"]
    assert "破获刑事案件8029起" in solved["sentences"][0]


# ------------------------------------------------------------------------- disagreements, real rows


def new_disagreements(frame: pd.DataFrame) -> pd.DataFrame:
    """Disagreements of ``frame`` besides those of the shipped fuding-2017-03-traffic report."""
    flagged = disagreements(series_points(frame))
    return flagged[flagged["doc_id_a"] != "fuding-2017-03-traffic"].reset_index(drop=True)


def _changed(frame: pd.DataFrame, doc_id: str, surface: str, value: float, new_surface: str) -> pd.DataFrame:
    changed = frame.copy()
    row = (changed["doc_id"] == doc_id) & (changed["surface"] == surface)
    assert row.sum() == 1
    changed.loc[row, ["value", "surface"]] = [value, new_surface]
    return changed


def test_a_stated_value_against_the_one_its_report_derives(frame):
    # qiongshan-2020 with 上年同期858起 misprinted as 885起: 1106起 上升28.9% says ≈858
    flagged = new_disagreements(_changed(frame, "qiongshan-2020", "858起", 885, "885起"))
    assert len(flagged) == 1
    row = flagged.iloc[0]
    assert (row["what"], row["value_a"], row["value_b"]) == ("stated/derived", 885.0, 858.0)
    assert row["doc_id_a"] == row["doc_id_b"] == "qiongshan-2020" and row["period_label"] == "2019"
    assert row["surface_a"] == "885起" and row["derived_from_b"] == "change_pct"
    misprinted = point(
        series_points(_changed(frame, "qiongshan-2020", "779人", 797, "797人")),
        region_code="460107",
        measure="apprehended",
        period_label="2019",
    )
    assert misprinted["agree"] is False and misprinted["value"] == 797  # flagged, still the stated value
    assert "1106起" in row["sentence_b"] and "上升28.9%" in row["surface_b"]


def _second_report(frame: pd.DataFrame, doc_id: str, new_id: str) -> pd.DataFrame:
    copy = frame[frame["doc_id"] == doc_id].assign(doc_id=new_id, source="https://example.org/repost")
    return pd.concat([frame, copy], ignore_index=True)


def test_two_reports_that_state_one_point_differently(frame):
    both = _second_report(frame, "cangnan-2024", "cangnan-2024-other-site")
    assert new_disagreements(both).empty  # the same figures: agree
    punished = point(series_points(both), region_code="330327", measure="punished", period_label="2024")
    assert punished["n_sources"] == 2 and punished["agree"] is True and punished["value"] == 2129
    other = (both["doc_id"] == "cangnan-2024-other-site") & (both["surface"] == "2129人")
    both.loc[other, ["value", "surface"]] = [2192, "2192人"]
    flagged = new_disagreements(both)
    kinds = sorted(flagged["what"])
    assert kinds == ["derived", "sources"]  # 2129 vs 2192, and ≈1975 vs ≈2033
    sources = flagged[flagged["what"] == "sources"].iloc[0]
    assert {sources["value_a"], sources["value_b"]} == {2129.0, 2192.0}


def test_rounding_is_not_a_disagreement(frame):
    both = _second_report(frame, "cangnan-2024", "cangnan-2024-rounded")
    other = (both["doc_id"] == "cangnan-2024-rounded") & (both["surface"] == "2129人")
    both.loc[other, ["value", "surface", "qualifier"]] = [2100, "2100余人", "at_least"]
    assert new_disagreements(both).empty
    both.loc[other, ["value", "surface", "qualifier"]] = [2200, "2200余人", "at_least"]
    assert len(new_disagreements(both)) >= 1


def test_statistics_without_series_fields_are_refused_clearly(frame):
    with pytest.raises(ValueError, match="measure"):
        series_points(frame.drop(columns=["measure"]))


def test_points_and_disagreements_print_and_export(points, tmp_path):
    flat = flat_points(points)
    assert "statements" not in flat and flat["doc_ids"].map(lambda v: isinstance(v, str)).all()
    path = tmp_path / "points.csv"
    flat.to_csv(path, index=False)
    again = pd.read_csv(path, dtype=str)
    assert len(again) == len(points)
    flat.to_parquet(tmp_path / "points.parquet")
    text = "\n\n".join(describe_disagreement(row) for _, row in disagreements(points).iterrows())
    assert (
        "≈9 (8.99" in text
        and "桐城辖区发生3起同比减少2起下降66.67%" in text
        and text.count("fuding-2017-03-traffic") == 24
    )


def test_a_derived_value_is_shown_to_the_decimals_that_tell_it_from_the_other():
    assert telling_apart((1.496, 1.504), (2.0, 2.0)) == (1.5, 2.0)
    assert telling_apart((8.9995, 9.0022), (5.0, 5.0)) == (9.0, 5.0)
    assert telling_apart((2.001, 2.003), (2.0, 2.0)) == (2.002, 2.0)
