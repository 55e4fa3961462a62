"""The dashboard headless (streamlit.testing.v1.AppTest) over a temporary annotated store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest


ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = str(ROOT / "dashboard.py")
CHART_DOWNLOADS = {"download_by-category-year", "download_yoy-changes", "download_trend"}
TABLE_DOWNLOADS = {"download_table_csv", "download_table_xlsx"}


@pytest.fixture()
def store_db(annotated_store: Path, monkeypatch) -> Path:
    db = annotated_store
    monkeypatch.setenv("METRICS_DB", str(db))
    monkeypatch.setattr(sys, "argv", ["dashboard.py"])
    return db


def run_app(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return app.run()


def chart_specs(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def trace_names(spec: dict) -> list[str]:
    return [trace.get("name") for trace in spec["data"]]


def table_total(app: AppTest) -> int:
    caption = next(c.value for c in app.caption if c.value.startswith("共 "))
    return int(caption.split()[1].replace(",", ""))


def test_runs_on_a_store_with_three_charts_each_with_its_download(store_db):
    app = run_app()
    assert not app.exception and not app.error
    assert len(app.get("plotly_chart")) == 3
    keys = {button.proto.id.split("-", 2)[-1] for button in app.get("download_button")}
    assert CHART_DOWNLOADS | TABLE_DOWNLOADS <= keys
    assert len(app.metric) > 0


def test_download_buttons_do_not_rerun(store_db):
    app = run_app()
    buttons = app.get("download_button")
    assert len(buttons) == 5
    assert all(button.proto.ignore_rerun for button in buttons)


def test_category_filter_narrows_chart_and_table(store_db):
    app = run_app()
    total = table_total(app)
    app.multiselect(key="category").set_value(["drugs"]).run()
    assert not app.exception
    assert trace_names(chart_specs(app)[0]) == ["毒品 drugs"]
    assert 0 < table_total(app) < total
    assert "毒品 drugs" in chart_specs(app)[0]["layout"]["title"]["text"]


def test_year_range_filter(store_db):
    app = run_app()
    app.slider(key="years").set_value((2023, 2024)).run()
    spec = chart_specs(app)[0]
    periods = {x[:4] for trace in spec["data"] for x in trace["x"]}
    assert periods and periods <= {"2023", "2024"}


def test_query_params_start_the_app_filtered(store_db):
    app = run_app({"category": "毒品 drugs", "lang": "English"})
    assert not app.exception
    assert app.multiselect(key="category").value == ["drugs"]
    assert trace_names(chart_specs(app)[0]) == ["毒品 drugs"]
    assert app.title[0].value == "Police statistics dashboard"


def test_no_matching_statistics_says_so(store_db):
    app = run_app({"q": "不存在的指标xyz"})
    assert not app.exception
    assert any("没有数据" in w.value for w in app.warning)
    assert not app.get("plotly_chart")


def test_missing_store_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("METRICS_DB", str(tmp_path / "absent.duckdb"))
    monkeypatch.setattr(sys, "argv", ["dashboard.py"])
    app = run_app()
    assert not app.exception
    message = app.error[0].value
    assert "make run" in message and "python -m metrics ingest data/corpus" in message


def test_broken_store_says_what_to_run(tmp_path, monkeypatch):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("METRICS_DB", str(broken))
    monkeypatch.setattr(sys, "argv", ["dashboard.py"])
    app = run_app()
    assert not app.exception
    assert "python -m metrics ingest data/corpus" in app.error[0].value


def test_db_script_argument_wins_over_environment(store_db, tmp_path, monkeypatch):
    monkeypatch.setenv("METRICS_DB", str(tmp_path / "absent.duckdb"))
    monkeypatch.setattr(sys, "argv", ["dashboard.py", "--db", str(store_db)])
    app = run_app()
    assert not app.error and len(app.get("plotly_chart")) == 3


def test_english_switch_changes_labels(store_db):
    app = run_app()
    app.segmented_control(key="lang").set_value("en").run()
    assert app.title[0].value == "Police statistics dashboard"
    assert app.multiselect(key="category").label == "Crime category"


def test_opens_a_parquet_dataset_written_by_the_dask_engine(tmp_path, monkeypatch):
    dataset = tmp_path / "dataset"
    reports = [str(ROOT / "data" / "corpus" / "dev" / name) for name in ("cangnan-2024.json", "fujian-2021-trad.json")]
    ingest = subprocess.run([sys.executable, "-m", "metrics", "ingest", *reports, "--engine", "dask", "--workers", "1",
                             "--db", str(tmp_path / "m.duckdb"), "--output-dataset", str(dataset)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert ingest.returncode == 0, ingest.stderr
    monkeypatch.setenv("METRICS_DB", str(dataset))
    monkeypatch.setattr(sys, "argv", ["dashboard.py"])
    app = run_app()
    assert not app.exception and not app.error
    assert len(app.get("plotly_chart")) == 3 and table_total(app) > 0
    assert {"cangnan-2024", "fujian-2021-trad"} <= {str(v) for v in app.dataframe[0].value["报告"]}

