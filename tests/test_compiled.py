"""The optional compiled build (bench/build_compiled.py, mypyc) gives the very records of pure Python:
the digests of every shipped document are those pinned for pure Python (tests/test_records_unchanged.py).
The build is made here when missing or stale (about a minute on two cores)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import build_compiled  # noqa: E402
from test_records_unchanged import DIGESTS, changed_documents  # noqa: E402

CHECK = """
import json, sys
import metrics.extraction.spans as spans, metrics.extraction.figure_record as figure_record
sys.path.insert(0, {tests!r})
import test_records_unchanged as pins
print(json.dumps({{"modules": [spans.__file__, figure_record.__file__], "digests": pins.current_digests()}}))
"""


def test_the_compiled_build_gives_the_pinned_records():
    dest = build_compiled.build()
    assert build_compiled.is_current(dest)
    env = {**os.environ, "PYTHONPATH": str(dest)}
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(tests=str(ROOT / "tests"))],
        cwd=dest,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert all(path.endswith(".so") and path.startswith(str(dest)) for path in result["modules"]), result["modules"]
    changed = changed_documents(json.loads(DIGESTS.read_text(encoding="utf-8")), result["digests"])
    assert len(result["digests"]) >= 600 and not changed, f"compiled records differ: {changed[:5]}"


def test_a_changed_source_makes_the_build_stale(tmp_path):
    digest = build_compiled.source_digest()
    (tmp_path / "SOURCE_DIGEST").write_text(digest + "\n")
    assert build_compiled.is_current(tmp_path)
    (tmp_path / "SOURCE_DIGEST").write_text("0" * 20 + "\n")
    assert not build_compiled.is_current(tmp_path)
    assert "metrics/extraction/spans.py" in build_compiled.compiled_modules()
    assert "metrics/extraction/evaluate.py" not in build_compiled.compiled_modules()


def test_the_bench_compares_the_two_builds_report_by_report():
    import bench_extract

    assert bench_extract.differing(["a", "b", "c"], ["a", "b", "c"]) == "same records"
    assert bench_extract.differing(["a", "b", "c"], ["a", "x", "y"]) == "RECORDS DIFFER in 2 reports (first: report 1)"
    assert bench_extract.differing(["a", "b"], ["a", "b", "c"]) == "RECORDS DIFFER in 1 report (first: report 2)"
    seconds, statistics, digests = bench_extract.extract_all(["全年刑事打处2129人、逮捕684人", "无数字"])
    assert statistics == 2 and len(digests) == 2 and digests[0] != digests[1]
