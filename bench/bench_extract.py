"""Extraction throughput against a trivial regex pass over the same text, in the same run.

    .venv/bin/python bench/bench_extract.py [--mb 20]

Builds a corpus of about --mb MB from the shipped reports (data/corpus), repeated with every digit
varied (seeded, so runs are comparable), then times:
  - baseline: regex.finditer(r"\\d+") over the whole text (the cheapest possible pass);
  - extract:  metrics.extract() document by document (the real pipeline, one process);
  - peers, each only if installed (`pip install -r requirements-peers.txt`): jionlp's money extractor,
    cn2an.transform (rewrites numerals), Recognizers-Text's Chinese number model (bare numbers).
It also runs the pathological inputs of issue 2 (a 5 MB line without punctuation, a million 、, a
10,000-digit number) and prints how long each takes. Figures are printed, not asserted: machines are
shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics import extract  # noqa: E402


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
    args = parser.parse_args()

    docs = varied_corpus(args.mb)
    joined = "\n".join(docs)
    mb = len(joined.encode("utf-8")) / 1e6
    base_s, base_n = timed(lambda: sum(1 for _ in regex.finditer(r"\d+", joined)))
    ext_s, ext_n = timed(lambda: sum(len(extract(d, published="2024-06-01")) for d in docs))
    print(f"corpus: {len(docs)} reports, {mb:.1f} MB")
    print(f"{'pass':<28}{'seconds':>10}{'MB/s':>10}{'found':>12}")
    baseline_name = "regex \\d+ (baseline)"
    print(f"{baseline_name:<28}{base_s:>10.2f}{mb / base_s:>10.1f}{base_n:>12}")
    print(f"{'metrics.extract':<28}{ext_s:>10.2f}{mb / ext_s:>10.2f}{ext_n:>12}")
    print(f"ratio extract / baseline: 1/{(mb / base_s) / (mb / ext_s):.0f}")
    for name, peer in peer_passes().items():
        peer_s, _ = timed(lambda p=peer: [p(d) for d in docs])
        print(
            f"{name:<28}{peer_s:>10.2f}{mb / peer_s:>10.2f}{'':>12}  1/{(mb / base_s) / (mb / peer_s):.0f} of baseline"
        )
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
