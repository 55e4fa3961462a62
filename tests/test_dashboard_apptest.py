"""The dashboard headless (streamlit.testing.v1.AppTest) over a temporary annotated store: the state, the
link, and first start."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from metrics.store import ingest
from metrics.store.schema import extractor_version
from support import CORPUS

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
XIAMEN = {"category": "other", "measure": "reports/items", "regions": "350200"}


@pytest.fixture(autouse=True)
def served_like_make_run(monkeypatch):
    """As `make run` serves it: on 127.0.0.1 with edits on (a test that wants otherwise says so)."""
    monkeypatch.setenv("METRICS_ALLOW_EDITS", "1")
    monkeypatch.delenv("METRICS_EDIT_TOKEN", raising=False)
    original = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield
    st_config.set_option("server.address", original)


@pytest.fixture()
def store_db(annotated_store: Path, monkeypatch) -> Path:
    db = annotated_store
    monkeypatch.setenv("METRICS_DB", str(db))
    monkeypatch.setattr(sys, "argv", ["dashboard.py"])
    return db


def run_app(query: dict[str, str] | None = None, timeout: int = 120) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=timeout)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return app.run()


def specs(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def headings(app: AppTest) -> list[str]:
    """The subheaders as shown (markdown escapes removed)."""
    return [h.value.replace("\\", "") for h in app.subheader]


def link(app: AppTest) -> dict:
    return {
        k: app.query_params.get_all(k) if hasattr(app.query_params, "get_all") else app.query_params[k]
        for k in app.query_params
    }


def test_opens_on_the_default_indicator_with_nothing_in_the_link(store_db):
    app = run_app()
    assert not app.exception and not app.error
    assert app.selectbox(key="w_category").value == "telecom_fraud"
    assert specs(app)[0]["layout"]["title"]["text"] == "电信网络诈骗 · 破案 (起)"
    assert "电信网络诈骗 · 破案 (起)" not in headings(app)  # said once, by the chart
    assert sum("查看" in c.value and "出处" in c.value for c in app.caption) == 1  # the click hint once
    assert dict(app.query_params) == {}  # the link keeps only what the user chose


def test_a_link_opens_its_state(store_db):
    app = run_app({**XIAMEN, "lang": "en"})
    assert not app.exception
    assert app.selectbox(key="w_category").value == "other"
    assert app.selectbox(key="w_measure").value == "reports/items"
    assert app.multiselect(key="w_regions").value == ["350200"]
    assert app.title[0].value == "Police statistics dashboard"
    spec = specs(app)[0]
    assert spec["layout"]["title"]["text"] == "other · incidents reported (个)"
    xiamen = next(t for t in spec["data"] if t.get("name") == "厦门市")
    assert xiamen["x"] == [2019, 2020] and xiamen["y"] == [2370000.0, 2441000.0]
    assert [m.label for m in app.metric][0].startswith("incidents reported · 2020")


def test_changing_a_filter_writes_only_that_choice_to_the_link(store_db):
    app = run_app()
    app.selectbox(key="w_measure").set_value("apprehended").run()
    assert not app.exception
    assert dict(app.query_params) == {"measure": "apprehended"}
    app.segmented_control(key="w_periods").set_value("partial").run()
    assert dict(app.query_params) == {"measure": "apprehended", "periods": "partial"}
    spec = specs(app)[0]
    xs = [x for t in spec["data"] for x in t["x"]]
    assert xs and all(isinstance(x, str) and x[4] == "-" for x in xs)  # dates of the periods' ends, no years


def test_language_switch_keeps_the_indicator_and_the_link_keys(store_db):
    app = run_app(XIAMEN)
    before = [t["y"] for t in specs(app)[0]["data"]]
    app.segmented_control(key="w_lang").set_value("en").run()
    assert [t["y"] for t in specs(app)[0]["data"]] == before
    assert app.query_params["measure"] == "reports/items" and app.query_params["lang"] == "en"


def test_another_category_gets_its_own_first_indicator(store_db):
    app = run_app({"measure": "reports/items"})  # not an indicator of telecom fraud
    assert not app.exception
    assert app.selectbox(key="w_measure").value == "solved"  # falls back, never an error
    app.selectbox(key="w_category").set_value("criminal").run()
    assert not app.exception
    measure = app.selectbox(key="w_measure")
    assert measure.options[0] == "破案" and measure.value == "solved"  # kept: criminal has it too (its richest)
    assert dict(app.query_params) == {"category": "criminal"}  # its first indicator: left out of the link
    measure.set_value("reports").run()
    assert dict(app.query_params) == {"category": "criminal", "measure": "reports"}  # not its first: in the link


def test_unknown_values_in_a_link_fall_back_without_error(store_db):
    app = run_app({"category": "nonsense", "regions": "999999", "tab": "nowhere", "lang": "fr", "periods": "x"})
    assert not app.exception and not app.error
    assert app.selectbox(key="w_category").value == "telecom_fraud"
    assert app.multiselect(key="w_regions").value == []
    assert app.segmented_control(key="w_tab").value == "indicator"


def test_a_chosen_point_in_the_link_shows_its_sources(store_db):
    app = run_app({**XIAMEN, "point": "xiamen-2020:232:239~prev"})
    assert not app.exception
    texts = " ".join(t.value for t in app.text)
    assert "xiamen-2020" in texts and "【" in texts
    assert any("推算" in i.value for i in app.info)
    assert app.query_params["point"] == "xiamen-2020:232:239~prev"


def test_places_tab_ranks_changes_and_keeps_its_period(store_db):
    app = run_app({"tab": "places", "measure": "cases", "period": "2022"})
    assert not app.exception
    change = specs(app)[0]["data"][0]
    assert list(zip(change["y"], change["x"])) == [("江苏省", -15.3), ("天津市", -27.8)]
    assert app.selectbox(key="w_period").value == "2022"
    assert dict(app.query_params) == {"tab": "places", "measure": "cases", "period": "2022"}


@pytest.mark.parametrize("tab", ["category", "coverage", "table", "add", "corrections"])
def test_every_page_opens_without_error(store_db, tab):
    app = run_app({"tab": tab, "regions": "120000"})
    assert not app.exception and not app.error


def test_coverage_states_what_the_store_holds(store_db):
    app = run_app({"tab": "coverage"})
    summary = next(t.value for t in app.text if "份报告" in t.value)
    assert "51 份报告" in summary  # 50 annotated reports + the hostile one
    assert any("不是官方统计" in t.value for t in app.text)


def test_download_buttons_do_not_rerun(store_db):
    app = run_app(XIAMEN)
    assert app.get("download_button") and all(b.proto.ignore_rerun for b in app.get("download_button"))


def test_missing_store_is_built_from_the_shipped_reports(tmp_path, monkeypatch):
    db = tmp_path / "fresh" / "metrics.duckdb"
    monkeypatch.setenv("METRICS_DB", str(db))
    monkeypatch.setattr(sys, "argv", ["dashboard.py"])
    app = run_app(timeout=600)  # builds the store from all 601 shipped reports (about a minute on 2 cores)
    assert not app.exception and not app.error
    assert db.is_file()
    assert specs(app), "charts with data on first start"
    assert any(t.get("y") for t in specs(app)[0]["data"])
    summary = next(t.value for t in run_app({"tab": "coverage"}).text if "份报告" in t.value)
    found = re.search(r"(\d+) 份报告.*（(\d+) 个省级行政区；(\d+) 个地区有三年以上的数据）", summary)
    assert found, summary
    reports, provinces, series = map(int, found.groups())
    assert reports == 601 and provinces >= 28 and series >= 25  # all 34 and 51 when this was written


def test_broken_store_says_what_to_run(tmp_path, monkeypatch):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("METRICS_DB", str(broken))
    monkeypatch.setattr(sys, "argv", ["dashboard.py"])
    app = run_app()
    assert not app.exception
    assert "python -m metrics rebuild --db" in app.error[0].value
    app.button(key="rebuild").click().run(timeout=900)  # the offer works: a new store, the damaged file kept
    assert not app.exception and not app.error
    assert any(p.name.startswith("broken.duckdb.damaged-") for p in tmp_path.iterdir())
    assert any("已重建" in s.value for s in app.success) and specs(app)  # the page opens on the new store


def test_a_store_extracted_by_an_older_extractor_is_re_extracted_when_the_page_opens(tmp_path, monkeypatch):
    """Run without `make run` (which refreshes first): the page re-extracts the store itself."""
    store_db = tmp_path / "metrics.duckdb"
    ingest(sorted(CORPUS.glob("*.json"))[:12], db=store_db, workers=1)
    monkeypatch.setenv("METRICS_DB", str(store_db))
    monkeypatch.setattr(sys, "argv", ["dashboard.py"])
    con = duckdb.connect(str(store_db))
    count = con.execute("SELECT count(*) FROM statistics").fetchall()[0][0]
    con.execute("UPDATE store_info SET value = 'older' WHERE key = 'extractor'")
    con.execute("DELETE FROM statistics WHERE doc_id = (SELECT min(doc_id) FROM statistics)")
    con.close()
    app = run_app()
    assert not app.exception and not app.error
    con = duckdb.connect(str(store_db), read_only=True)
    assert con.execute("SELECT count(*) FROM statistics").fetchall()[0][0] == count
    assert con.execute("SELECT value FROM store_info").fetchall() == [(extractor_version(),)]
    con.close()


def test_db_script_argument_wins_over_environment(store_db, tmp_path, monkeypatch):
    monkeypatch.setenv("METRICS_DB", str(tmp_path / "absent.duckdb"))
    monkeypatch.setattr(sys, "argv", ["dashboard.py", "--db", str(store_db)])
    app = run_app(XIAMEN)
    assert not app.error
    assert "厦门" in json.dumps(specs(app)[0], ensure_ascii=False)


def test_paste_review_and_already_stored(store_db):
    app = run_app({"tab": "add"})
    app.text_input(key="paste_name").set_value("review-apptest")
    app.text_area(key="paste_text").set_value("某县公安局2024年全年破获刑事案件120起，抓获犯罪嫌疑人85人。")
    app.button[1].click().run()
    assert not app.exception
    assert any("已导入" in s.value for s in app.success)
    assert any(h.value == "导入结果：提取的数据" for h in app.subheader)
    app.button[1].click().run()
    assert any("已在数据库中" in i.value for i in app.info)


def tabs_offered(app: AppTest) -> list[str]:
    return list(app.segmented_control(key="w_tab").proto.options)


def test_read_only_unless_edits_are_switched_on(store_db, monkeypatch):
    monkeypatch.delenv("METRICS_ALLOW_EDITS")
    app = run_app({"tab": "add"})  # a link to the upload page opens the indicator instead
    assert not app.exception and not app.error
    assert app.segmented_control(key="w_tab").value == "indicator"
    assert len(tabs_offered(app)) == 5 and not app.text_area  # no upload, paste or corrections page
    assert any("只读" in c.value for c in app.sidebar.caption)


def test_shared_on_a_network_edits_need_the_token(store_db, monkeypatch):
    monkeypatch.setenv("METRICS_EDIT_TOKEN", "a-long-shared-token")
    st_config.set_option("server.address", "0.0.0.0")
    app = run_app()
    assert len(tabs_offered(app)) == 5
    app.text_input(key="edit_token").set_value("a-long-shared-toke").run()
    assert any("口令不正确" in e.value for e in app.sidebar.error) and len(tabs_offered(app)) == 5
    app.text_input(key="edit_token").set_value("a-long-shared-token").run()
    assert not app.sidebar.error and len(tabs_offered(app)) == 7
    app.segmented_control(key="w_tab").set_value("add").run()
    assert not app.exception and app.text_area(key="paste_text")


def test_without_a_token_a_network_dashboard_says_why_it_is_read_only(store_db, monkeypatch):
    st_config.set_option("server.address", "0.0.0.0")
    app = run_app()
    assert len(tabs_offered(app)) == 5
    assert any("METRICS_EDIT_TOKEN" in c.value for c in app.sidebar.caption)


def test_disagreements_between_reports_are_shown_with_both_sentences(store_db):
    app = run_app({"tab": "coverage"})
    assert any(t.value == "未发现来源不一致。" for t in app.text)  # the annotated year reviews agree
    fuding = Path(DASHBOARD).parent / "data" / "corpus" / "dev-genres" / "fuding-2017-03-traffic.json"
    ingest([fuding], db=store_db, workers=1)  # a real bulletin whose counts and percentages contradict
    app = run_app({"tab": "coverage"})
    assert not app.exception
    assert any(e.label.startswith("来源不一致") for e in app.expander)
    frame = next(d.value for d in app.dataframe if "sentence_a" in d.value.columns)
    assert len(frame) >= 1 and (frame["value_a"] != frame["value_b"]).all()
    assert frame["sentence_a"].str.contains("桐城辖区发生3起同比减少2起下降66.67%", regex=False).any()
    app = run_app({"category": "traffic", "measure": "accidents", "regions": "350982", "periods": "partial"})
    assert any(e.label.startswith("来源不一致") for e in app.expander)


def test_the_dashboard_opens_a_dataset_written_by_ingest_engine_dask(tmp_path, monkeypatch):
    db = tmp_path / "m.duckdb"
    command = [sys.executable, "-m", "metrics", "ingest", str(CORPUS), "--engine", "dask", "--workers", "2"]
    done = subprocess.run([*command, "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    monkeypatch.setattr(sys, "argv", ["dashboard.py"])
    charts = {}
    for name, path in (("store", db), ("dataset", tmp_path / "m-dataset")):
        monkeypatch.setenv("METRICS_DB", str(path))
        app = run_app(XIAMEN)
        assert not app.exception and not app.error, name
        charts[name] = specs(app)[0]["data"]
    xiamen = next(t for t in charts["dataset"] if t.get("name") == "厦门市")
    assert 2441000.0 in xiamen["y"]  # 厦门市 2020: 全年共接警244.1万个
    assert charts["dataset"] == charts["store"]


def test_an_empty_indicator_still_names_what_it_would_show(store_db):
    app = run_app({"category": "telecom_fraud", "measure": "solved", "regions": "350200"})  # Xiamen: no such figure
    assert not app.exception
    assert not specs(app)
    assert "电信网络诈骗 · 破案 (起)" in headings(app)
    assert [i.value for i in app.info][0] == "当前筛选条件下此图没有数据。"
