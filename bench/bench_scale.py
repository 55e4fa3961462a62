"""Ingest at scale: serial, a pool of 2 processes and Dask (local cluster of 2 workers), on one corpus.

    .venv/bin/python bench/bench_scale.py [--n 100000] [--corpus DIR] [--modes serial,pool,dask]

Generates --n reports with tests/generate_corpus.py (seeded; or reuses --corpus, a folder it wrote),
then ingests the whole folder into a fresh store once per mode and prints, per mode: seconds,
documents/s, MB/s (bytes of the files on disk) and peak memory (resident set of this process and all
its descendants at once: pool workers, Dask scheduler, nannies and workers; psutil every 50 ms).
In the same run it times a bare ``regex.finditer(r"\\d+")`` pass over the decoded text of the same files
(the cheapest possible pass), and extract() alone on --sample of them, both in this one process, so
the extractor's MB/s can be read against the regex's. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))  # the seeded corpus generator

from generate_corpus import generate  # noqa: E402
from metrics import extract  # noqa: E402
from metrics.sources.files import iter_files, read_document  # noqa: E402
from metrics.store import ingest  # noqa: E402
from peak_memory import PeakMemory  # noqa: E402

MODES = {"serial": {"workers": 1}, "pool": {"workers": 2}, "dask": {"workers": 2, "engine": "dask"}}
_DIGITS = regex.compile(r"\d+")


def corpus_bytes(folder: Path) -> tuple[int, int]:
    """Number of report files under ``folder`` and their total size on disk."""
    files = list(iter_files([folder]))
    return len(files), sum(p.stat().st_size for p in files)


def regex_pass(folder: Path) -> tuple[float, int, int]:
    """Seconds spent in regex.finditer(r"\\d+") over every decoded text (reading excluded), UTF-8 bytes, matches."""
    seconds, size, matches = 0.0, 0, 0
    for path in iter_files([folder]):
        text = read_document(path).text
        size += len(text.encode("utf-8"))
        start = time.perf_counter()
        matches += sum(1 for _ in _DIGITS.finditer(text))
        seconds += time.perf_counter() - start
    return seconds, size, matches


def extract_pass(folder: Path, sample: int) -> tuple[float, int]:
    """Seconds spent in extract() alone over the first ``sample`` decoded texts, and their UTF-8 bytes."""
    seconds, size = 0.0, 0
    for index, path in enumerate(iter_files([folder])):
        if index >= sample:
            break
        doc = read_document(path)
        size += len(doc.text.encode("utf-8"))
        start = time.perf_counter()
        extract(doc.text, published=doc.published, region=doc.region, doc_id=doc.doc_id)
        seconds += time.perf_counter() - start
    return seconds, size


def run_mode(name: str, folder: Path, work: Path) -> dict:
    """One ingest of the whole folder into a fresh store; wall time, summary and peak memory."""
    db = work / f"{name}.duckdb"
    options = dict(MODES[name])
    if options.get("engine") == "dask":
        options["dataset"] = work / f"{name}-dataset"
    with PeakMemory() as memory:
        start = time.perf_counter()
        summary = ingest([folder], db=db, **options)
        seconds = time.perf_counter() - start
    return {"mode": name, "seconds": seconds, "summary": summary, "peak": memory.peak}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="reports to generate (default 100,000)")
    parser.add_argument("--corpus", type=Path, help="reuse a folder written by generate_corpus.py")
    parser.add_argument("--modes", default="serial,pool,dask", help="comma-separated: serial, pool, dask")
    parser.add_argument("--sample", type=int, default=2000, help="reports for the extract-only pass")
    parser.add_argument("--work", type=Path, help="folder for the stores (default: a temporary one)")
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    if unknown := set(modes) - set(MODES):
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")
    work = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=args.work))
    try:
        folder = args.corpus
        if folder is None:
            folder = work / "corpus"
            for _ in generate(folder, args.n):
                pass
        files, size = corpus_bytes(folder)
        print(f"corpus: {files} reports, {size / 1e6:.1f} MB on disk, in {folder}")
        regex_seconds, text_bytes, matches = regex_pass(folder)
        print(
            f"regex.finditer(r'\\d+'): {text_bytes / 1e6 / regex_seconds:.1f} MB/s of UTF-8 text "
            f"({matches} matches, {regex_seconds:.2f} s)"
        )
        extract_seconds, sample_bytes = extract_pass(folder, args.sample)
        print(
            f"extract() alone, one process, first {args.sample} reports: "
            f"{sample_bytes / 1e6 / extract_seconds:.2f} MB/s "
            f"({regex_seconds / text_bytes * sample_bytes / extract_seconds * 100:.2f}% of the regex pass's speed)"
        )
        print("\n| mode | seconds | documents/s | MB/s | statistics | peak memory (MB, all processes) |")
        print("|---|---:|---:|---:|---:|---:|")
        for name in modes:
            result = run_mode(name, folder, work)
            summary, seconds = result["summary"], result["seconds"]
            assert summary.files_read == files and summary.failed == 0, summary.line()
            print(
                f"| {name} | {seconds:.1f} | {files / seconds:.0f} | {size / 1e6 / seconds:.2f} | "
                f"{summary.statistics} | {result['peak'] / 1e6:.0f} |",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
