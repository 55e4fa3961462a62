"""Store commands through ``python -m metrics`` in a subprocess: exit codes, messages, exports, safe cells."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from support import CORPUS

ROOT = Path(__file__).resolve().parent.parent

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=cwd, capture_output=True, timeout=300)


def good_report(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text("全年刑事打处2129人、逮捕684人", encoding="utf-8")
    return path


def make_fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "pipe.txt")
    return tmp_path / "pipe.txt"


def make_binary(tmp_path: Path) -> Path:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return tmp_path / "image.txt"


def make_broken_link(tmp_path: Path) -> Path:
    (tmp_path / "gone.html").symlink_to(tmp_path / "nowhere")
    return tmp_path / "gone.html"


def make_undecodable(tmp_path: Path) -> Path:
    (tmp_path / "noise.txt").write_bytes(bytes(range(0x80, 0x100)) * 40)
    return tmp_path / "noise.txt"


def make_unreadable(tmp_path: Path) -> Path:
    """A .txt whose read fails: chmod stops no one when the tests run as root, so as root the file is a
    link to /proc/self/mem, whose first page no process can read (EIO)."""
    if os.geteuid() == 0:
        (tmp_path / "secret.txt").symlink_to("/proc/self/mem")
    else:
        (tmp_path / "secret.txt").write_text("破案1起", encoding="utf-8")
        (tmp_path / "secret.txt").chmod(0)
    return tmp_path / "secret.txt"


# (maker of a bad input, the reason named on stderr): exit 1, the good report still stored.
BAD_INPUTS = [
    (make_fifo, "FIFO"),
    (make_binary, "binary"),
    (make_broken_link, "broken link"),
    (make_undecodable, "undecodable"),
    (make_unreadable, "unreadable"),
]


@pytest.mark.parametrize("make, reason", BAD_INPUTS, ids=[r for _, r in BAD_INPUTS])
def test_bad_input_exit_1_named_and_good_ones_stored(tmp_path, make, reason):
    bad, db = make(tmp_path), tmp_path / "m.duckdb"
    result = run("ingest", str(good_report(tmp_path)), str(bad), "--db", str(db), "--workers", "1")
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    assert f"{bad}: " in stderr and reason in stderr
    assert "Traceback" not in stderr
    assert "1 files read, 0 skipped (unchanged), 1 failed" in stderr.splitlines()[-1]
    exported = run("export", "--db", str(db))
    assert exported.returncode == 0 and "2129" in exported.stdout.decode("utf-8-sig")


# (arguments after the command; {tmp} is the test folder): exit 2, a message, no output file.
USAGE_ERRORS = [
    (["ingest", "{tmp}/missing.txt", "--db", "{tmp}/m.duckdb"], "no such file or directory"),
    (["ingest", "{good}", "--published", "2024-02-30", "--db", "{tmp}/m.duckdb"], "not a date"),
    (["ingest", "{good}", "--workers", "0", "--db", "{tmp}/m.duckdb"], "positive whole number"),
    (["export", "--db", "{store}", "-o", "{tmp}/out.pdf"], "unknown output extension"),
    (["export", "--db", "{store}", "-o", "{tmp}/no/such/dir/out.csv"], "no such directory"),
    (["export", "--db", "{store}", "--year", "24"], "not a year"),
    (["export", "--db", "{tmp}/none.duckdb", "-o", "{tmp}/out.csv"], "no store"),
    (["list", "--db", "{tmp}/none.duckdb"], "no store"),
]


@pytest.mark.parametrize("args, message", USAGE_ERRORS, ids=[m for _, m in USAGE_ERRORS])
def test_usage_errors_exit_2_without_output(tmp_path, args, message):
    store = tmp_path / "store.duckdb"
    assert run("ingest", str(good_report(tmp_path)), "--db", str(store)).returncode == 0
    before = set(tmp_path.rglob("*"))
    names = {"tmp": tmp_path, "good": good_report(tmp_path), "store": store}
    result = run(*[a.format(**names) for a in args])
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert message in stderr and "Traceback" not in stderr
    assert set(tmp_path.rglob("*")) - before <= {tmp_path / "m.duckdb.lock"}  # nothing written


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("store") / "m.duckdb"
    result = run("ingest", str(CORPUS), "--db", str(db))
    assert result.returncode == 0, result.stderr.decode()
    assert "50 files read, 0 skipped (unchanged), 0 failed" in result.stderr.decode()
    return db


def read_export(path: Path) -> pd.DataFrame:
    suffix = path.suffix
    if suffix == ".csv":
        return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    if suffix == ".xlsx":
        return pd.read_excel(path)
    if suffix == ".jsonl":
        return pd.read_json(path, lines=True)
    return pd.read_parquet(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_export_formats_hold_every_row(corpus_store, tmp_path, suffix):
    out = tmp_path / f"stats{suffix}"
    result = run("export", "--db", str(corpus_store), "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    frame = read_export(out)
    from metrics.store import load_statistics

    expected = load_statistics(corpus_store)
    assert len(frame) == len(expected) and list(frame.columns) == list(expected.columns)
    assert sorted(frame["stat_id"]) == sorted(expected["stat_id"])


def test_csv_export_names_the_dataset_version_beside_it_and_still_round_trips(corpus_store, tmp_path):
    """A CSV has no metadata block: its version is in the CSVW sidecar stats.csv-metadata.json."""
    import json

    from metrics.store import load_statistics
    from metrics.store.exports import DATASET_VERSION

    out = tmp_path / "stats.csv"
    result = run("export", "--db", str(corpus_store), "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    meta = json.loads((tmp_path / "stats.csv-metadata.json").read_text(encoding="utf-8"))
    assert meta["schema:version"] == DATASET_VERSION and meta["url"] == "stats.csv"
    back = pd.read_csv(out, encoding="utf-8-sig")  # the CSV itself is unchanged: a header, then the rows
    assert [column["titles"] for column in meta["tableSchema"]["columns"]] == list(back.columns)
    expected = load_statistics(corpus_store).sort_values("stat_id", ignore_index=True)
    back = back.sort_values("stat_id", ignore_index=True)
    assert list(back.columns) == list(expected.columns) and len(back) == len(expected) > 0
    pd.testing.assert_series_equal(back["value"], expected["value"].astype(float), check_dtype=False)
    for column in ("stat_id", "doc_id", "metric", "category", "unit"):
        assert back[column].fillna("").astype(str).tolist() == expected[column].fillna("").astype(str).tolist()


def test_export_filters_and_stdout_csv_has_bom(corpus_store):
    result = run("export", "--db", str(corpus_store), "--region", "厦门市", "苍南县")
    assert result.returncode == 0
    assert result.stdout.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8-sig"))))
    assert rows and {r["region"] for r in rows} == {"厦门市", "苍南县"}


def test_list_and_stats(corpus_store):
    listed = run("list", "--db", str(corpus_store)).stdout.decode()
    assert "cangnan-2024" in listed and "xiamen-2025" in listed
    stats = run("stats", "--db", str(corpus_store))
    assert stats.returncode == 0 and "苍南县" in stats.stdout.decode() and "2025" in stats.stdout.decode()


def test_every_csv_cell_is_safe(tmp_path):
    db = tmp_path / "m.duckdb"
    hostile = tmp_path / "=HYPERLINK(evil).txt"
    hostile.write_text("=1+2 全年刑事打处2129人\n@SUM(A1) 下降7.1%\n-破案12起\n+逮捕5人", encoding="utf-8")
    assert run("ingest", str(hostile), "--db", str(db), "--region", "=cmd|' /C calc'!A0").returncode == 0
    for out in (None, tmp_path / "out.csv"):
        result = run("export", "--db", str(db), *(["-o", str(out)] if out else []))
        data = out.read_bytes() if out else result.stdout
        assert data.startswith(b"\xef\xbb\xbf")
        cells = [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]
        assert any(cell.startswith("'=") for cell in cells)  # the hostile cells are there, neutralised
        for cell in cells:
            if cell.startswith(FORMULA_STARTS):
                float(cell)  # only numbers may start so


def test_xlsx_cells_are_neutralised(tmp_path):
    from openpyxl import load_workbook

    from metrics.store.exports import xlsx_bytes

    frame = pd.DataFrame({"metric": ["=1+1", "@x", "ok\x01"], "value": [-7.1, 2.0, 3.0]})
    sheet = load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [["'=1+1", -7.1], ["'@x", 2], ["ok", 3]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


IMPORTED_AFTER = """
import runpy, sys
sys.argv = ["metrics", *sys.argv[1:]]
try:
    runpy.run_module("metrics", run_name="__main__")
except SystemExit as done:
    code = done.code
print(code, sorted({"pandas", "pyarrow"} & set(sys.modules)))
"""


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ingest_and_refresh_run_without_pandas(tmp_path, workers):
    """An ingest hands DuckDB numpy arrays and reads nothing back as a frame: pandas and pyarrow (130 MB
    of the writer's memory) are not imported by ``ingest`` or ``refresh``; ``export`` still imports them."""
    db = str(tmp_path / "store.duckdb")

    def command(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", IMPORTED_AFTER, *args], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        return done.stdout.strip().splitlines()[-1]

    assert command("ingest", str(good_report(tmp_path)), "--db", db, "--workers", workers) == "0 []"
    assert command("refresh", "--db", db) == "0 []"
    assert command("export", "--db", db, "-o", str(tmp_path / "out.csv")) == "0 ['pandas', 'pyarrow']"
    assert len(pd.read_csv(tmp_path / "out.csv")) == 2
