"""Per-file cost: `python -m metrics extract` over 10,000 small reports in 100 folders (issue 13).

    .venv/bin/python bench/bench_small_files.py [--count 10000]

Writes ``count`` excerpts of about 60 characters of the shipped reports (seeded) into 100 folders, then times,
in one run, side by side: reading and decoding every file alone (the floor any extractor pays), and the whole
`extract` command writing one CSV. Figures are printed, not asserted: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_small_reports(directory: Path, count: int, seed: int = 3) -> int:
    """``count`` short .txt excerpts of the annotated reports, 100 to a folder; total bytes."""
    rng = random.Random(seed)
    texts = [
        json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted((ROOT / "data/corpus/dev").glob("*.json"))
    ]
    total = 0
    for i in range(count):
        text = texts[i % len(texts)]
        at = rng.randrange(0, max(1, len(text) - 60))
        folder = directory / f"d{i // 100:03d}"
        folder.mkdir(exist_ok=True)
        data = text[at : at + 60].encode("utf-8")
        (folder / f"r{i:05d}.txt").write_bytes(data)
        total += len(data)
    return total


def timed_command(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        size = write_small_reports(folder, args.count)
        read_s = timed_command(
            "-c",
            "import sys; from metrics.sources.files import read_documents; "
            "sum(1 for _ in read_documents(sys.argv[1:]))",
            str(folder),
        )
        extract_s = timed_command("-m", "metrics", "extract", str(folder), "-o", str(Path(tmp) / "out.csv"))
    print(f"{args.count} files, {size / 1e6:.2f} MB, load average {os.getloadavg()[0]:.1f}")
    print(f"{'read and decode only':<28}{read_s:>8.1f} s {args.count / read_s:>8.0f} files/s")
    print(f"{'metrics extract -o out.csv':<28}{extract_s:>8.1f} s {args.count / extract_s:>8.0f} files/s")


if __name__ == "__main__":
    main()
