"""Series points, derived values and disagreements (metrics/series.py) on the shipped corpus's annotations.

The input is what the store will hold once statistics carry schema v2's fields: one row per gold statistic
of data/corpus/dev and dev-genres, with its document's doc_id, region_code and source, and its sentence
cut from the text. (``unit_norm`` is not in the annotations: the unit as written stands in for it, which
only keeps 人 and 名 apart.)

What the shipped corpus holds, checked here: no series point is stated by two reports (the reports of one
place cover different periods: Xiamen 2020, 2021-10, 2022-06, 2025; Jiangsu 2022, 2023, summer 2023...),
and no report's count with its yoy change falls on a point another report states; the only stated and
derived values that meet are qiongshan-2020's own 上年同期 figures, and they agree. So the shipped
corpus has no real disagreement; the detection is shown on real rows with one figure changed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import regex

from metrics.series import (KEY, derived_counts, disagreements, metric_key, previous_period, series_points,
                            series_statements, stated_counts, value_interval, written_step, yoy_changes)

ROOT = Path(__file__).resolve().parent.parent
CORPUS_FILES = sorted((ROOT / "data" / "corpus").glob("dev*/*.json"))
_SENTENCE_END = regex.compile(r"[。!?!?;;\n]")


def sentence_at(text: str, start: int) -> str:
    """The sentence of ``text`` around offset ``start``."""
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    end = _SENTENCE_END.search(text, start)
    return text[begin:end.end() if end else len(text)].strip()


def corpus_frame() -> pd.DataFrame:
    rows = []
    for path in CORPUS_FILES:
        report = json.loads(path.read_text(encoding="utf-8"))
        for stat in report["metrics"]:
            rows.append({**stat, "doc_id": report["doc_id"], "region": report["region"],
                         "region_code": report["region_code"], "source": report["source"],
                         "published": report["published"], "end": stat["start"] + len(stat["surface"]),
                         "sentence": sentence_at(report["text"], stat["start"]), "unit_norm": stat["unit"]})
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

@pytest.mark.parametrize("surface, value, qualifier, low, high", [
    ("2129人", 2129, "exact", 2128.5, 2129.5),
    ("1.17万人", 11700, "exact", 11650, 11750),           # 1.17万 is ±50
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
])
def test_the_interval_a_surface_allows(surface, value, qualifier, low, high):
    got = value_interval(value, qualifier, written_step(surface))
    assert got == pytest.approx((low, high))


@pytest.mark.parametrize("label, previous", [
    ("2024", "2023"), ("2024-H1", "2023-H1"), ("2023-Q1", "2022-Q1"), ("2021-10", "2020-10"),
    ("2024-01/2024-10", "2023-01/2023-10"), ("2023-11-15/2024-01-31", "2022-11-15/2023-01-31"),
    ("2024-02-29/2024-03-05", None), ("", None), (None, None),
])
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
    assert arrested["value"] == 481                               # 684 / 1.422 = 481.0


def test_a_derived_value_is_rounded_to_the_figure_it_comes_from(frame):
    derived = derived_counts(stated_counts(frame), yoy_changes(frame))
    jiangsu = derived[(derived["doc_id"] == "jiangsu-2023-summer") & (derived["measure"] == "solved")]
    assert jiangsu["value"].tolist() == [29000.0]                 # 3.5万起, 上升20.9% → 28949 → 2.9万
    assert jiangsu["period_label"].tolist() == ["2022-06-25/2022-08-18"]
    assert all(low <= value <= high for value, low, high in zip(derived["value"], derived["low"], derived["high"]))


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


def test_the_shipped_corpus_has_no_real_disagreement(points):
    """How it was checked: every point with two statements that should be one fact is compared."""
    assert points["n_sources"].max() == 1                         # no point is stated by two reports
    compared = points[points["agree"].notna()]
    assert set(compared["region_code"]) == {"460107"} and len(compared) == 3   # qiongshan-2020, all agree
    assert disagreements(points).empty


def test_xiamen_series_has_its_sources(points):
    xiamen = points[points["region_code"] == "350200"]
    assert set(xiamen["period_label"]) >= {"2020", "2021-10", "2025"}
    solved = point(points, region_code="350200", measure="solved", category="criminal", period_label="2025")
    assert solved["value"] == 8029 and solved["doc_ids"] == ["xiamen-2025"]
    assert solved["sources"] == ["https://news.xmnn.cn/xmxw/202601/t20260110_388204.html"]
    assert "破获刑事案件8029起" in solved["sentences"][0]


# ------------------------------------------------------------------------- disagreements, real rows

def _changed(frame: pd.DataFrame, doc_id: str, surface: str, value: float, new_surface: str) -> pd.DataFrame:
    changed = frame.copy()
    row = (changed["doc_id"] == doc_id) & (changed["surface"] == surface)
    assert row.sum() == 1
    changed.loc[row, ["value", "surface"]] = [value, new_surface]
    return changed


def test_a_stated_value_against_the_one_its_report_derives(frame):
    # qiongshan-2020 with 上年同期858起 misprinted as 885起: 1106起 上升28.9% says ≈858
    flagged = disagreements(series_points(_changed(frame, "qiongshan-2020", "858起", 885, "885起")))
    assert len(flagged) == 1
    row = flagged.iloc[0]
    assert (row["what"], row["value_a"], row["value_b"]) == ("stated/derived", 885.0, 858.0)
    assert row["doc_id_a"] == row["doc_id_b"] == "qiongshan-2020" and row["period_label"] == "2019"
    assert "885起" in row["sentence_a"] and "1106起" in row["sentence_b"] and "上升28.9%" in row["surface_b"]


def _second_report(frame: pd.DataFrame, doc_id: str, new_id: str) -> pd.DataFrame:
    copy = frame[frame["doc_id"] == doc_id].assign(doc_id=new_id, source="https://example.org/repost")
    return pd.concat([frame, copy], ignore_index=True)


def test_two_reports_that_state_one_point_differently(frame):
    both = _second_report(frame, "cangnan-2024", "cangnan-2024-other-site")
    assert disagreements(series_points(both)).empty                 # the same figures: agree
    punished = point(series_points(both), region_code="330327", measure="punished", period_label="2024")
    assert punished["n_sources"] == 2 and punished["agree"] is True and punished["value"] == 2129
    other = (both["doc_id"] == "cangnan-2024-other-site") & (both["surface"] == "2129人")
    both.loc[other, ["value", "surface"]] = [2192, "2192人"]
    flagged = disagreements(series_points(both))
    kinds = sorted(flagged["what"])
    assert kinds == ["derived", "sources"]                         # 2129 vs 2192, and ≈1975 vs ≈2033
    sources = flagged[flagged["what"] == "sources"].iloc[0]
    assert {sources["value_a"], sources["value_b"]} == {2129.0, 2192.0}


def test_rounding_is_not_a_disagreement(frame):
    both = _second_report(frame, "cangnan-2024", "cangnan-2024-rounded")
    other = (both["doc_id"] == "cangnan-2024-rounded") & (both["surface"] == "2129人")
    both.loc[other, ["value", "surface", "qualifier"]] = [2100, "2100余人", "at_least"]
    assert disagreements(series_points(both)).empty
    both.loc[other, ["value", "surface", "qualifier"]] = [2200, "2200余人", "at_least"]
    assert len(disagreements(series_points(both))) >= 1


def test_statistics_without_series_fields_are_refused_clearly(frame):
    with pytest.raises(ValueError, match="measure"):
        series_points(frame.drop(columns=["measure"]))
