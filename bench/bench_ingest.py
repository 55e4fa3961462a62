"""Ingest throughput: 10,000 reports (the shipped texts with varied digits) with 1 and 2 worker processes,
pure Python, then with the compiled build of the extraction stages (bench/build_compiled.py) when current.

Prints files/s, MB/s and peak memory (largest resident set of the parent, and of all its children at
once, sampled by psutil every 50 ms). Each run is its own process, started after the reports are written,
so that no run inherits the peak of the one before. Usage: ``.venv/bin/python bench/bench_ingest.py [--count N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))  # after PYTHONPATH: the compiled run imports build/compiled first

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


def run_one(source: Path, db: Path, count: int, size: int, label: str, workers: int) -> None:
    """Ingest ``source`` into a new store with ``workers`` workers; one printed line."""
    with PeakMemory() as memory:
        start = time.perf_counter()
        summary = ingest([source], db=db, workers=workers)
        seconds = time.perf_counter() - start
    assert summary.files_read == count and summary.failed == 0, summary.line()
    print(
        f"{label:>9} {workers:>7} {seconds:>8.1f} {count / seconds:>8.0f} {size / 1e6 / seconds:>6.2f} "
        f"{summary.statistics:>8} {memory.parent / 1e6:>15.0f} {memory.total / 1e6:>12.0f}",
        flush=True,
    )


def run(source: Path, tmp: Path, count: int, label: str, env: dict | None = None) -> None:
    """Ingest ``source`` with 1, then 2 workers, each in a fresh process (as a user's ingest runs: a peak
    is not inherited from the run before); ``env`` for the compiled build."""
    for workers in (1, 2):
        db = tmp / f"bench-{label}-{workers}.duckdb"
        command = [sys.executable, __file__, "--count", str(count), "--one", str(source), str(db), label, str(workers)]
        subprocess.run(command, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)  # a child: SOURCE DB LABEL WORKERS
    args = parser.parse_args()
    if args.one:
        source, db, label, workers = args.one
        size = sum(p.stat().st_size for p in Path(source).rglob("*.txt"))
        run_one(Path(source), Path(db), args.count, size, label, int(workers))
        return
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "reports"
        size = generate_reports(source, args.count)
        print(f"{args.count} reports, {size / 1e6:.1f} MB, in {source}; load average {os.getloadavg()[0]:.1f}")
        print(
            f"{'extractor':>9} {'workers':>7} {'seconds':>8} {'files/s':>8} {'MB/s':>6} {'stats':>8} "
            f"{'peak parent MB':>15} {'peak all MB':>12}",
            flush=True,
        )
        run(source, Path(tmp), args.count, "Python")
        import build_compiled

        if not build_compiled.is_current():
            print("no current compiled build (make compiled): only pure Python is timed")
            return
        run(source, Path(tmp), args.count, "compiled", {**os.environ, "PYTHONPATH": str(build_compiled.DEFAULT_DEST)})


if __name__ == "__main__":
    main()
