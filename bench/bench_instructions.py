"""Instructions of extraction, counted by valgrind's callgrind, this version and another side by side.

    .venv/bin/python bench/bench_instructions.py [--base REV] [--mb 0.1] [--passes 4]

The seconds of bench_extract.py move by ±20% from run to run on these shared machines, more than most single
changes gain; the count of instructions executed does not move with the load. This counts the instructions of
``metrics.extract`` over the corpus bench_extract.py builds (every digit varied; whole rounds of the 50
annotated reports up to ``--mb``: 0.19 MB for the default 0.1), for the working tree and, with ``--base``, for
a git revision checked out in a temporary worktree (its own code, this checkout's virtual environment). Each
count is the difference of two runs, one pass and 1 + ``--passes`` passes over the corpus after the same
warm-up, divided by ``--passes``, so that start-up, imports and the building of patterns do not count. The
whole runs differ by about 0.5% from one run to the next (measured: 9,137 to 9,176 million for one run of
0.02 MB, with the hash seed fixed and with address randomisation off alike); a difference of one pass and two
passes carried that as up to 10% of a pass (one revision counted 1,515 and 1,692 million), so several passes
are counted and the figure is their mean. Valgrind runs Python about 50 times slower: the
default corpus takes about five minutes a version (the runs go two at a time). Needs valgrind (Debian: apt-get
install valgrind). Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench_extract import varied_corpus  # this folder: the same corpus as the seconds of make bench

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys
sys.path.insert(0, {root!r} + "/bench"); sys.path.insert(0, {root!r})
from bench_extract import varied_corpus
from metrics import extract
docs = varied_corpus({mb})
for d in docs:  # warm-up: patterns compiled, rule caches built, as after the first reports of a run
    extract(d, published="2024-06-01")
for _ in range({passes}):
    for d in docs:
        extract(d, published="2024-06-01")
"""


def instructions(root: Path, mb: float, passes: int) -> int:
    """Instructions of a Python run that extracts the corpus ``passes`` times after a warm-up pass."""
    # one hash seed for every counted run: set and dict orders, and so the counts, vary with it
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c",
         CHILD.format(root=str(root), mb=mb, passes=passes)],
        cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
    )  # fmt: skip
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"the counted run failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_pass(root: Path, mb: float, passes: int, pool: ThreadPoolExecutor) -> int:
    one, more = pool.submit(instructions, root, mb, 1), pool.submit(instructions, root, mb, 1 + passes)
    return (more.result() - one.result()) // passes


def corpus_mb(mb: float) -> float:
    return sum(len(d.encode("utf-8")) for d in varied_corpus(mb)) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="a git revision to count side by side (checked out in a temporary worktree)")
    parser.add_argument("--mb", type=float, default=0.1, help="corpus of at least this many MB (default 0.1)")
    parser.add_argument("--passes", type=int, default=4, help="passes counted beyond the first (default 4)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    size = corpus_mb(args.mb)
    rows = []
    with ThreadPoolExecutor(max_workers=2) as pool, tempfile.TemporaryDirectory(prefix="metrics-base-") as tmp:
        if args.base:
            base = Path(tmp) / "base"
            command = ["git", "worktree", "add", "--detach", "-q", str(base), args.base]
            added = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            if added.returncode != 0:
                raise SystemExit(f"cannot check out {args.base!r}: {added.stderr.strip()}")
            try:
                rows.append((f"base {args.base}", per_pass(base, args.mb, args.passes, pool)))
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
        rows.append(("working tree", per_pass(ROOT, args.mb, args.passes, pool)))
    print(f"corpus: {size:.2f} MB (bench_extract.py's, every digit varied), a pass the mean of {args.passes}")
    print(f"{'version':<32}{'instructions per pass':>24}{'per MB':>16}{'ratio':>8}")
    first = rows[0][1]
    for name, count in rows:
        print(f"{name:<32}{count:>24,}{count / size:>16,.0f}{first / count:>8.2f}")


if __name__ == "__main__":
    main()
