"""Ingest throughput: 10,000 reports (the shipped texts with varied digits) with 1 and 2 worker processes.

Prints files/s, MB/s and peak memory (largest resident set of the parent, and of all its children at
once, sampled by psutil every 50 ms). Usage: ``.venv/bin/python bench/bench_ingest.py [--count N]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics.store import ingest  # noqa: E402
from peak_memory import PeakMemory  # noqa: E402


def generate_reports(directory: Path, count: int, seed: int = 1) -> int:
    """``count`` .txt reports (UTF-8, every third GB18030) from data/corpus with varied digits; total bytes."""
    rng = random.Random(seed)
    reports = sorted((ROOT / "data" / "corpus" / "dev").glob("*.json"))
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in reports]
    total = 0
    for i in range(count):
        text = re.sub(r"\d", lambda _m: str(rng.randint(0, 9)), texts[i % len(texts)])
        try:
            data = text.encode("gb18030" if i % 3 == 0 else "utf-8")
        except UnicodeEncodeError:
            data = text.encode("utf-8")
        folder = directory / f"batch-{i // 1000:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"report-{i:05d}.txt").write_bytes(data)
        total += len(data)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "reports"
        size = generate_reports(source, args.count)
        print(f"{args.count} reports, {size / 1e6:.1f} MB, in {source}")
        print(
            f"{'workers':>7} {'seconds':>8} {'files/s':>8} {'MB/s':>6} {'stats':>8} "
            f"{'peak parent MB':>15} {'peak all MB':>12}"
        )
        for workers in (1, 2):
            db = Path(tmp) / f"bench-{workers}.duckdb"
            with PeakMemory() as memory:
                start = time.perf_counter()
                summary = ingest([source], db=db, workers=workers)
                seconds = time.perf_counter() - start
            assert summary.files_read == args.count and summary.failed == 0, summary.line()
            print(
                f"{workers:>7} {seconds:>8.1f} {args.count / seconds:>8.0f} {size / 1e6 / seconds:>6.2f} "
                f"{summary.statistics:>8} {memory.parent / 1e6:>15.0f} {memory.total / 1e6:>12.0f}"
            )


if __name__ == "__main__":
    main()
