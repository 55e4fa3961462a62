"""Output: no text cell runs as a formula, a closed pipe ends quietly, an ASCII locale still writes UTF-8.

CSV injection is tried in every text column a user can reach: the sentence and metric (report text),
doc_id (the file name) and region (the --region flag), in CSV on stdout, a .csv file and an .xlsx file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys

import openpyxl
import pytest

from harness import REPORT, python_env, run_bounded, run_cli
from metrics.record import COLUMNS
from metrics.store.exports import FORMULA_STARTS

TEXT_COLUMNS = [c for c in COLUMNS if c not in ("value", "start", "end", "period")]
PREFIXES = ["=", "+", "-", "@"]


def hostile_reports(root, prefix: str) -> None:
    """A report whose file name, first sentence and one metric start with ``prefix``."""
    text = (
        f'{prefix}HYPERLINK("http://evil","x")破获刑事案件2129起。\n'
        f"抓获{prefix}1+嫌疑人,\t{prefix}1+1起,同比上升7.8%。\n"
    )
    (root / f"{prefix}cmd|' -C calc'!A0.txt").write_text(text, encoding="utf-8")


def csv_cells(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("target", ["stdout", "out.csv", "out.xlsx"])
def test_no_text_cell_starts_a_formula(tmp_path, prefix, target):
    hostile_reports(tmp_path, prefix)
    args = ["extract", str(tmp_path), f"--region={prefix}SUM(1,2)"]
    out = tmp_path / target
    run = run_cli(*args, *([] if target == "stdout" else ["-o", str(out)]), timeout=60, max_mb=800)
    assert run.returncode == 0, run.stderr
    if target == "out.xlsx":
        sheet = openpyxl.load_workbook(out).active
        header = [c.value for c in sheet[1]]
        rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    else:
        rows = csv_cells(run.stdout if target == "stdout" else out.read_bytes())
    assert rows
    for row in rows:
        for column in TEXT_COLUMNS:
            cell = row[column]
            assert not (isinstance(cell, str) and cell.startswith(FORMULA_STARTS)), (column, cell)
    reached = {c for row in rows for c in TEXT_COLUMNS if isinstance(row[c], str) and row[c].startswith("'" + prefix)}
    assert {"doc_id", "region", "sentence", "metric"} <= reached  # the injection did reach each column


@pytest.mark.timeout(120)
@pytest.mark.parametrize("lines", [3_000, 40_000], ids=["one part", "several parts"])
def test_a_closed_pipe_ends_quietly(tmp_path, lines):
    report = tmp_path / "many.txt"
    report.write_text(REPORT * lines, encoding="utf-8")
    command = f"{sys.executable} -m metrics extract {report} | head -1 >/dev/null; exit ${{PIPESTATUS[0]}}"
    run = run_bounded(["bash", "-c", command], timeout=90, max_mb=1500, env=python_env())
    assert run.returncode == 0
    assert run.stderr == ""  # no BrokenPipeError, no "Exception ignored"


ASCII_LOCALES = {
    "LANG=C": {"LANG": "C"},
    "LC_ALL=C, no UTF-8 mode": {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
    "PYTHONIOENCODING=ascii": {
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONUTF8": "0",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONIOENCODING": "ascii",
    },
}


@pytest.mark.parametrize("locale", ASCII_LOCALES.values(), ids=ASCII_LOCALES.keys())
def test_an_ascii_locale_still_writes_utf8(tmp_path, locale):
    (tmp_path / "苍南.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "二进制.txt").write_bytes(b"\x00\x01binary")
    env = {k: v for k, v in python_env().items() if not k.startswith("LC_")} | locale
    stdout = run_cli("extract", str(tmp_path), "--region", "苍南县", env=env, timeout=60, max_mb=800)
    assert stdout.returncode == 1  # the binary file is named, the report read
    assert "UnicodeEncodeError" not in stdout.stderr and "Traceback" not in stdout.stderr
    rows = csv_cells(stdout.stdout)
    assert {r["doc_id"] for r in rows} == {"苍南"} and {r["region"] for r in rows} == {"苍南县"}
    assert rows[0]["sentence"] == REPORT.strip()
    for name in ("统计.csv", "统计.jsonl", "统计.xlsx"):
        out = tmp_path / "out" / name
        out.parent.mkdir(exist_ok=True)
        run = run_cli("extract", str(tmp_path / "苍南.txt"), "-o", str(out), env=env, timeout=60, max_mb=800)
        assert run.returncode == 0, run.stderr
        assert os.fsencode(out) in [os.fsencode(p) for p in out.parent.iterdir()]  # the UTF-8 name itself
    assert "2129起".encode() in (tmp_path / "out" / "统计.csv").read_bytes()
    sidecar = json.loads((tmp_path / "out" / "统计.csv-metadata.json").read_text(encoding="utf-8"))
    assert sidecar["url"] == "统计.csv"  # the CSV's own name, not its surrogate escapes
    assert "苍南" in (tmp_path / "out" / "统计.jsonl").read_text(encoding="utf-8")
