"""Extraction throughput against a trivial regex pass over the same text, in the same run.

    .venv/bin/python bench/bench_extract.py [--mb 20]

Builds a corpus of about --mb MB from the shipped reports (data/corpus), repeated with every digit
varied (seeded, so runs are comparable), then times:
  - baseline: regex.finditer(r"\\d+") over the whole text (the cheapest possible pass);
  - extract:  metrics.extract() document by document (the real pipeline, one process), pure Python, and
    the compiled build of the same code (bench/build_compiled.py, `make compiled`) when it is current,
    timed in a child process on the same corpus (each report's records compared by digest);
  - peers, each only if installed (`pip install -r requirements-peers.txt`): jionlp's money extractor,
    cn2an.transform (rewrites numerals), Recognizers-Text's Chinese number model (bare numbers).
It also runs the pathological inputs of issue 2 (a 5 MB line without punctuation, a million 、, a
10,000-digit number) and prints how long each takes. Figures are printed, not asserted: machines are
shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))  # after PYTHONPATH: the compiled pass imports build/compiled first

from metrics import extract  # noqa: E402
from metrics.record import records_digest  # noqa: E402


def varied_corpus(target_mb: float, seed: int = 7) -> list[str]:
    """The shipped report texts, repeated with each digit replaced by a random one, up to target_mb."""
    rng = random.Random(seed)
    reports = sorted((ROOT / "data/corpus/dev").glob("*.json"))
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in reports]
    docs, size = [], 0
    while size < target_mb * 1e6:
        for text in texts:
            doc = regex.sub(r"\d", lambda m: str(rng.randint(0, 9)), text)
            docs.append(doc)
            size += len(doc.encode("utf-8"))
    return docs


def extract_all(docs: list[str]) -> tuple[float, int, list[str]]:
    """(seconds, statistics, each report's records digest) of metrics.extract over the documents."""
    start = time.perf_counter()
    records = [extract(d, published="2024-06-01") for d in docs]
    seconds = time.perf_counter() - start
    return seconds, sum(map(len, records)), [records_digest(r) for r in records]


def differing(a: list[str], b: list[str]) -> str:
    """'same records', or how many reports' records differ between two passes and the first of them."""
    apart = [i for i, (x, y) in enumerate(zip(a, b)) if x != y] + list(range(min(len(a), len(b)), max(len(a), len(b))))
    if not apart:
        return "same records"
    return f"RECORDS DIFFER in {len(apart)} report{'s' * (len(apart) > 1)} (first: report {apart[0]})"


def compiled_pass(mb: float) -> tuple[float, int, list[str]] | None:
    """extract_all in a child process that imports the compiled build, if it is current; else None."""
    import build_compiled

    if not build_compiled.is_current():
        print("no current compiled build (make compiled): only pure Python is timed")
        return None
    env = {**os.environ, "PYTHONPATH": str(build_compiled.DEFAULT_DEST)}
    done = subprocess.run(
        [sys.executable, __file__, "--mb", str(mb), "--child"], env=env, capture_output=True, text=True, check=True
    )
    return tuple(json.loads(done.stdout.splitlines()[-1]))


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def peer_passes() -> dict:
    """The installed peers, each a function of one document; a missing peer is left out with a note."""
    import importlib.util
    import warnings

    peers = {}
    if importlib.util.find_spec("jionlp"):
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
            import jionlp
        peers["jionlp extract_money"] = jionlp.ner.extract_money
    if importlib.util.find_spec("cn2an"):
        import cn2an

        def cn2an_transform(doc: str) -> str:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # it warns on every numeral it cannot convert
                return cn2an.transform(doc)

        peers["cn2an transform"] = cn2an_transform
    if importlib.util.find_spec("recognizers_number"):
        from recognizers_number import Culture, NumberRecognizer

        peers["Recognizers-Text number"] = NumberRecognizer(Culture.Chinese).get_number_model().parse
    missing = [m for m in ("jionlp", "cn2an", "recognizers_number") if not importlib.util.find_spec(m)]
    if missing:
        print(f"peers not installed (pip install -r requirements-peers.txt): {', '.join(sorted(missing))}")
    return peers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size in MB (default 20)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # the compiled pass
    args = parser.parse_args()

    docs = varied_corpus(args.mb)
    if args.child:
        extract(docs[0])  # patterns compiled and lists loaded before the clock starts, as in the parent
        print(json.dumps(extract_all(docs)))
        return
    joined = "\n".join(docs)
    mb = len(joined.encode("utf-8")) / 1e6
    extract(docs[0])
    floors = [timed(lambda: sum(1 for _ in regex.finditer(r"\d+", joined))) for _ in range(5)]
    base_s, base_n = sorted(floors, key=lambda f: f[0])[2]  # the median of five: one pass is too short to trust
    ext_s, ext_n, ext_digests = extract_all(docs)
    print(f"corpus: {len(docs)} reports, {mb:.1f} MB; load average {os.getloadavg()[0]:.1f}")
    print(f"{'pass':<32}{'seconds':>10}{'MB/s':>10}{'found':>12}  ratio to the floor")

    def row(name: str, seconds: float, found: object = "", note: str = "") -> None:
        print(f"{name:<32}{seconds:>10.2f}{mb / seconds:>10.2f}{found:>12}  1/{seconds / base_s:.0f} {note}")

    row("regex \\d+ (the floor)", base_s, base_n)
    row("metrics.extract (Python)", ext_s, ext_n)
    compiled = compiled_pass(args.mb)
    if compiled:
        c_s, c_n, c_digests = compiled
        row("metrics.extract (compiled)", c_s, c_n, differing(c_digests, ext_digests))
    for name, peer in peer_passes().items():
        peer_s, _ = timed(lambda p=peer: [p(d) for d in docs])
        row(name, peer_s)
    print(f"statistics per MB: {ext_n / mb:.0f} (one per {len(joined) / max(ext_n, 1):.0f} characters)")

    print("\npathological inputs (must stay linear):")
    cases = {
        "5 MB line, no punctuation": "刑事案件下降同比上升抓获嫌疑人" * 350_000,
        "a million 、": "、" * 1_000_000,
        "10,000-digit number": "1" * 10_000 + "人",
        "1、 repeated 200,000 times": "1、" * 200_000,
        "同比 repeated 100,000 times": "同比" * 100_000,
        "分别 with 5,000 values": "分别下降" + "、".join(["5%"] * 5000),
    }
    for name, text in cases.items():
        seconds, rows = timed(lambda t=text: extract(t))
        print(f"  {name:<32}{len(text):>10} chars {seconds:>8.2f} s {len(rows):>7} rows")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
