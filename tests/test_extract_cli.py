"""`python -m metrics extract` and `eval`: formats, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from metrics.cli import main
from metrics.record import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
REPORT = "全年刑事打处2129人、逮捕684人,分别同比上升7.8%、42.2%。"


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "cangnan.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_output_format_follows_the_extension(report, tmp_path, suffix):
    out = tmp_path / f"stats{suffix}"
    assert main(["extract", str(report), "-o", str(out), "--published", "2025-01-10", "--region", "苍南县"]) == 0
    frame = {
        ".csv": lambda p: pd.read_csv(p, encoding="utf-8-sig"),
        ".jsonl": lambda p: pd.read_json(p, lines=True),
        ".parquet": pd.read_parquet,
    }[suffix](out)
    assert list(frame.columns) == list(COLUMNS)
    assert frame["value"].tolist() == [2129, 684, 7.8, 42.2]
    assert set(frame["doc_id"]) == {"cangnan"} and set(frame["region"]) == {"苍南县"}
    assert set(frame["period"]) == {2024}


def test_csv_on_stdout_has_a_bom_and_the_rows(report, capsysbinary):
    assert main(["extract", str(report)]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith("\ufeff".encode("utf-8"))
    assert "2129人".encode() in out


def test_a_directory_is_read_recursively(report, tmp_path, capsysbinary):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "other.txt").write_text("破获案件12起。", encoding="utf-8")
    assert main(["extract", str(tmp_path)]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8-sig")
    assert "cangnan," in out and "other," in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["extract", "no/such/file.txt"], "no such file"),
        (["extract", "{report}", "--published", "2025-13-40"], "not a date"),
        (["extract", "{report}", "-o", "{tmp}/out.docx"], "unknown output extension"),
        (["eval", "{tmp}/no-such-folder"], "no annotated reports"),
        (["eval", "{tmp}"], "no annotated reports"),
    ],
)
def test_usage_errors_exit_2_with_one_line_and_no_traceback(report, tmp_path, args, message):
    args = [a.format(report=report, tmp=tmp_path) for a in args]
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.docx").exists()


def test_eval_prints_scores():
    result = run_cli("eval", "data/corpus/dev")
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("precision") and "F1" in last


def test_eval_verbose_lists_misses_and_false_finds(tmp_path):
    doc = {
        "doc_id": "t",
        "source": "test",
        "published": "2024-06-01",
        "region": "x",
        "text": "破获案件12起,抓获嫌疑人5人。",
        "metrics": [
            {
                "surface": "12起",
                "start": 4,
                "metric": "破获案件",
                "category": "criminal",
                "kind": "count",
                "value": 13,
                "unit": "起",
                "qualifier": "exact",
                "direction": None,
                "basis": None,
                "period": 2024,
                "required": True,
            }
        ],
    }
    (tmp_path / "t.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = run_cli("eval", str(tmp_path), "--verbose")
    assert "MISS  t: '12起'" in result.stdout
    assert "FALSE t: '12起'" in result.stdout and "FALSE t: '5人'" in result.stdout


def test_a_closed_pipe_ends_quietly(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text(REPORT * 5000, encoding="utf-8")
    result = subprocess.run(
        f"{sys.executable} -m metrics extract {big} | head -1",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr and "Error" not in result.stderr
