"""The store's ingest and export commands over the same odd directory as test_files.py: every file is
stored once or named on stderr, the run never hangs and never ends in a traceback, and the export's
cells are neutralised. The store itself (metrics/store/) is another issue's; this checks it end to end.
"""

from __future__ import annotations

import csv
import io
import os

import pytest

from harness import REPORT, run_cli
from metrics.store.exports import FORMULA_STARTS
from oddities import BAD, ODD_NAMES, ROWS_PER_REPORT


@pytest.mark.timeout(240)
def test_ingest_stores_each_odd_file_once_or_names_it(odd_directory, tmp_path):
    for i, name in enumerate(ODD_NAMES):  # distinct reports: the store links a repeated or near-repeated one
        with open(os.path.join(os.fsencode(odd_directory), name), "wb") as handle:
            handle.write(REPORT.replace("2129", str(3000 + i)).encode())
    db = tmp_path / "store.duckdb"
    run = run_cli("ingest", str(odd_directory), "--db", str(db), timeout=180, max_mb=1500)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
    for name, (_, reason) in BAD.items():
        assert f"{odd_directory / name}: {reason}" in run.stderr, name
    export = run_cli("export", "--db", str(db), timeout=120, max_mb=1500)
    assert export.returncode == 0, export.stderr
    rows = list(csv.DictReader(io.StringIO(export.stdout.decode("utf-8-sig"))))
    per_doc: dict[str, int] = {}
    for row in rows:
        per_doc[row["doc_id"]] = per_doc.get(row["doc_id"], 0) + 1
        assert not any(cell.startswith(FORMULA_STARTS) for cell in row.values()), row
    expected = {("'" + d if d.startswith(FORMULA_STARTS) else d): ROWS_PER_REPORT for d in ODD_NAMES.values()}
    assert {d: n for d, n in per_doc.items() if d in expected} == expected
