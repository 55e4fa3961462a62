"""A large synthetic corpus of police reports, for the scale benchmark and tests (seeded, reproducible).

    .venv/bin/python tests/generate_corpus.py OUT_DIR --n 100000 [--seed 1]

Each report is a title line naming a region and a year, a 发布时间 line, then sentences taken from the
shipped reports (data/corpus) that hold figures, recombined at random, with every digit varied, every
four-digit year moved to the report's year, and the shipped regions' names replaced by the report's
region. Files are .txt in folders of 1,000, one region (bureau) per folder as collections usually are, the
year varying per report; every fourth file is GB18030 (when it encodes), the rest UTF-8.
Prints the number of files and of bytes written.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus" / "dev"
YEARS = range(2018, 2026)
FILES_PER_FOLDER = 1000
_SENTENCE_END = re.compile(r"(?<=[。!?!?;;])|\n")
_HAS_FIGURE = re.compile(r"\d|[一二三四五六七八九十百千万亿]")
_YEAR = re.compile(r"(?<!\d)20[12]\d(?!\d)")
_DIGIT = re.compile(r"\d")


def shipped_reports(corpus: Path = CORPUS) -> list[dict]:
    """The annotated reports of data/corpus, in file-name order."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.json"))]


def figure_sentences(texts: list[str]) -> list[str]:
    """Sentences of 10 to 300 characters that carry a figure (Arabic or Chinese numeral)."""
    sentences = (s.strip() for text in texts for s in _SENTENCE_END.split(text))
    return [s for s in sentences if 10 <= len(s) <= 300 and _HAS_FIGURE.search(s)]


def regions_of(reports: list[dict]) -> list[str]:
    """The distinct regions the shipped reports speak for, sorted."""
    return sorted({r["region"] for r in reports if r.get("region")})


def vary(sentence: str, *, year: int, region: str, regions: list[str], rng: random.Random) -> str:
    """A sentence with its years set to ``year`` (or the one before), regions renamed and digits varied."""
    for name in regions:
        if name in sentence:
            sentence = sentence.replace(name, region)
    marks = [(m.start(), m.end()) for m in _YEAR.finditer(sentence)]
    pieces, last = [], 0
    for start, end in marks:  # vary the digits between years, keep years coherent
        pieces.append(_DIGIT.sub(lambda _m: str(rng.randint(0, 9)), sentence[last:start]))
        pieces.append(str(year if rng.random() < 0.8 else year - 1))
        last = end
    pieces.append(_DIGIT.sub(lambda _m: str(rng.randint(0, 9)), sentence[last:]))
    return "".join(pieces)


def report(rng: random.Random, sentences: list[str], regions: list[str], region: str) -> str:
    """One synthetic report of ``region`` of about 0.6 to 3 KB of UTF-8."""
    year = rng.choice(YEARS)
    target = rng.randint(600, 3000)
    lines = [f"{region}公安局{year}年社会治安情况通报", f"发布时间:{year + 1}-01-{rng.randint(1, 28):02d}"]
    size = sum(len(line.encode()) for line in lines)
    while size < target:
        line = vary(rng.choice(sentences), year=year, region=region, regions=regions, rng=rng)
        lines.append(line)
        size += len(line.encode()) + 1
    return "\n".join(lines) + "\n"


def encode(text: str, index: int) -> bytes:
    """Every fourth report as GB18030 (UTF-8 when it does not encode), the others as UTF-8."""
    if index % 4 == 0:
        try:
            return text.encode("gb18030")
        except UnicodeEncodeError:
            pass
    return text.encode("utf-8")


def generate(out: Path, n: int, *, seed: int = 1) -> Iterator[tuple[Path, int]]:
    """Write ``n`` reports under ``out`` (folders of 1,000); yields each path and its size in bytes."""
    reports = shipped_reports()
    sentences = figure_sentences([r["text"] for r in reports])
    regions = regions_of(reports)
    rng = random.Random(seed)
    for index in range(n):
        folder = out / f"part-{index // FILES_PER_FOLDER:04d}"
        if index % FILES_PER_FOLDER == 0:
            folder.mkdir(parents=True, exist_ok=True)
            region = regions[(index // FILES_PER_FOLDER) % len(regions)]
        data = encode(report(rng, sentences, regions, region), index)
        path = folder / f"report-{index:07d}.txt"
        path.write_bytes(data)
        yield path, len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write into (created)")
    parser.add_argument("--n", type=int, default=100_000, help="number of reports (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        print(f"generate_corpus: {args.out} is not empty; choose a new folder", file=sys.stderr)
        return 2
    total = files = 0
    for _path, size in generate(args.out, args.n, seed=args.seed):
        total += size
        files += 1
    print(f"{files} reports, {total / 1e6:.1f} MB, in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
