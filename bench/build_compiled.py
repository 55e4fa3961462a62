"""The optional compiled build: the extraction stages compiled with mypyc, unchanged, beside pure Python.

    .venv/bin/python bench/build_compiled.py [DEST]      (make compiled; DEST defaults to build/compiled)

Copies the `metrics` package to DEST/metrics and compiles its pure extraction modules there (mypyc, from
requirements-dev.txt, with the C compiler of the machine), so that `PYTHONPATH=build/compiled python -P -m
metrics ...` runs the compiled extractor (-P: the working directory's pure package does not come first)
and plain `python -m metrics ...` the pure one: nothing in the
working tree changes, and a machine without a compiler simply has no build. DEST/SOURCE_DIGEST names the
sources it was built from; `is_current` tells a stale build, which is rebuilt. tests/test_compiled.py
checks that the build gives the records pinned for pure Python (tests/cases/records_digest.json).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "metrics"
DEFAULT_DEST = ROOT / "build" / "compiled"
# The pure stages: text in, records out, no I/O (metrics/extraction/__init__ re-exports, evaluate reads
# files and frame builds pandas frames, so they stay Python) and the pattern loader they all call.
NOT_COMPILED = {"__init__.py", "evaluate.py", "frame.py"}


def compiled_modules() -> list[str]:
    """The modules of the package that are compiled, as paths relative to the package's parent."""
    stages = sorted(p for p in (PACKAGE / "extraction").glob("*.py") if p.name not in NOT_COMPILED)
    return [str(p.relative_to(ROOT)) for p in [*stages, PACKAGE / "rules.py"]]


def source_digest() -> str:
    """A digest of every source and pattern file of the package (a change to any makes a build stale)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".yml", ".json", ".txt", ".csv"):
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def is_current(dest: Path = DEFAULT_DEST) -> bool:
    stamp = dest / "SOURCE_DIGEST"
    return stamp.is_file() and stamp.read_text().strip() == source_digest()


def build(dest: Path = DEFAULT_DEST) -> Path:
    """Build the compiled copy of the package at dest (replacing a stale one); returns dest."""
    if is_current(dest):
        return dest
    digest = source_digest()
    with tempfile.TemporaryDirectory(prefix="metrics-compiled-") as tmp:
        work = Path(tmp)
        shutil.copytree(PACKAGE, work / "metrics", ignore=shutil.ignore_patterns("__pycache__", "*.so"))
        command = [sys.executable, "-m", "mypyc", "--ignore-missing-imports", *compiled_modules()]
        done = subprocess.run(
            command, cwd=work, capture_output=True, text=True, env={**os.environ, "MYPYC_OPT_LEVEL": "3"}
        )
        if done.returncode != 0:
            failure = (done.stdout + done.stderr)[-3000:]
            sys.exit(f"the compiled build failed (pure Python is used as before):\n{failure}")
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        shutil.copytree(work / "metrics", dest / "metrics")
        for shared in work.glob("*.so"):  # mypyc's shared library of all compiled modules
            shutil.copy2(shared, dest / shared.name)
        (dest / "SOURCE_DIGEST").write_text(digest + "\n")
    return dest


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DEST
    state = "up to date" if is_current(target) else "built"
    build(target)
    modules = len(list((target / "metrics").rglob("*.so")))
    print(f"compiled build {state}: {modules} modules in {target} (use: PYTHONPATH={target} python -P -m metrics …)")
