"""Ingest throughput: 10,000 reports (the shipped texts with varied digits) with 1 and 2 worker processes,
pure Python, then with the compiled build of the extraction stages (bench/build_compiled.py) when current.

Prints files/s, MB/s and peak memory (largest resident set of the parent, and of all its children at
once, sampled by psutil every 50 ms). Usage: ``.venv/bin/python bench/bench_ingest.py [--count N]``.
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


def run(source: Path, tmp: Path, count: int, size: int, label: str) -> None:
    """Ingest ``source`` into a new store with 1, then 2 workers; one printed line each."""
    for workers in (1, 2):
        db = tmp / f"bench-{label}-{workers}.duckdb"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--compiled-run", metavar="DIR", help=argparse.SUPPRESS)  # the child of the compiled run
    args = parser.parse_args()
    if args.compiled_run:
        source = Path(args.compiled_run)
        run(source, source.parent, args.count, sum(p.stat().st_size for p in source.rglob("*.txt")), "compiled")
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
        run(source, Path(tmp), args.count, size, "Python")
        import build_compiled

        if not build_compiled.is_current():
            print("no current compiled build (make compiled): only pure Python is timed")
            return
        env = {**os.environ, "PYTHONPATH": str(build_compiled.DEFAULT_DEST)}
        command = [sys.executable, __file__, "--count", str(args.count), "--compiled-run", str(source)]
        subprocess.run(command, env=env, check=True)


if __name__ == "__main__":
    main()
