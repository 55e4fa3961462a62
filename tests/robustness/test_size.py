"""Size: a 50 MB report is extracted in bounded memory, and the dashboard refuses oversized uploads.

The report is generated (the shipped corpus texts repeated to 50 MB, one paragraph per line) in tmp_path;
``python -m metrics extract`` runs on it in a child process whose peak resident memory is read from
``os.wait4``. The CLI extracts a long document part by part (metrics.extraction.pipeline.extract_parts) and writes
the table part by part (metrics.store.exports.table_writer): with both, the peak is the decoded text plus one
part; without them it is several times the input (1.85 GB measured when rows were all held).
"""

from __future__ import annotations

import json

import pytest

from harness import ROOT, run_cli
from metrics import extract
from metrics.views.data import UPLOAD_LIMIT_MB, ingest_upload, upload_problem

TARGET_BYTES = 50 * 1024 * 1024
PEAK_LIMIT_MB = 1000  # decoded text + normalized copy + one part, with room to spare; 1.85 GB unstreamed


def corpus_body() -> str:
    reports = sorted((ROOT / "data/corpus/dev").glob("*.json"))
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in reports]
    return "\n".join(texts) + "\n"


@pytest.mark.timeout(620)  # a bound, not a speed check: 160 s here on a loaded 2-core machine (bench/ measures speed)
def test_a_50_mb_report_is_extracted_in_bounded_memory(tmp_path, record_property):
    body = corpus_body()
    copies = -(-TARGET_BYTES // len(body.encode("utf-8")))
    report = tmp_path / "huge.txt"
    with report.open("w", encoding="utf-8") as handle:
        for _ in range(copies):
            handle.write(body)
    out = tmp_path / "huge.csv"
    run = run_cli(
        "extract", str(report), "-o", str(out), "--published", "2025-01-10", timeout=600, max_mb=PEAK_LIMIT_MB
    )
    record_property("peak_mb", round(run.peak_mb))
    print(f"\n50 MB report: peak resident memory {run.peak_mb:.0f} MB")
    assert run.returncode == 0, run.stderr[-2000:]
    with out.open("rb") as handle:
        rows = sum(1 for _ in handle) - 1  # every sentence of the corpus is on one line: no quoted line ends
    assert rows == copies * len(extract(body, published="2025-01-10"))  # nothing lost in the parts


def test_the_dashboard_refuses_an_upload_over_its_limit_with_a_message(tmp_path):
    big = b"x" * (UPLOAD_LIMIT_MB * 2**20 + 1)
    outcome = ingest_upload(str(tmp_path / "never.duckdb"), "big.txt", big, region=None, published=None)
    assert not outcome.ok and outcome.message_key == "too_large"
    assert outcome.values == {"name": "big.txt", "size": round(len(big) / 2**20, 1), "limit": UPLOAD_LIMIT_MB}
    assert not (tmp_path / "never.duckdb").exists()  # refused before the store is touched
    assert upload_problem("big.txt", UPLOAD_LIMIT_MB * 2**20, UPLOAD_LIMIT_MB) is None  # the limit itself is fine
