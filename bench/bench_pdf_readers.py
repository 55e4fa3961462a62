"""pdfplumber or pypdf for the PDF reader: text fidelity, table cells and time, on PDFs made from shipped text.

The PDF (tests/office_fixtures.py: fpdf2, Noto Sans CJK as TrueType) holds, per copy, the Hong Kong table of
dev-genres (traditional script), two tables whose figures group thousands with a space as Hong Kong's do
(``42 923``), one of them 9 columns wide and drawn again without rules, a table whose long row labels wrap
inside their cells, and every paragraph of a simplified-script year review (dev/cangnan-2024), wrapped at the margin.
Measured for each reader:

* text: share of the paragraphs found whole in the reader's text (whitespace ignored, so line wrapping is
  not counted against pypdf), and share "unsplit": each of its sentences stands whole on one line
  (what the extractor needs: no sentence, so no figure, cut in two by the page's wrapping);
* cells: share of table rows whose cells come back exactly (pdfplumber: its table cells, tab-separated by
  metrics/sources/pdf.py; pypdf: layout mode, cells split at runs of two or more spaces, the best it offers);
* time: milliseconds per page, the median of ``--repeat`` runs.

Usage: ``.venv/bin/python bench/bench_pdf_readers.py [--copies 5] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pypdf
import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from office_fixtures import UnruledTable, characters, pdf_bytes, truetype_cjk_font  # noqa: E402

from metrics.sources.pdf import pdf_text  # noqa: E402

_SPACE = regex.compile(r"\s+")
_COLUMN_GAP = regex.compile(r"\s{2,}")
_SENTENCE = regex.compile(r"(?<=[。!?…])")  # a line break after these splits no figure


def corpus_text(path: str) -> str:
    return json.loads((ROOT / "data" / "corpus" / path).read_text(encoding="utf-8"))["text"]


def tables() -> list[list[list[str]]]:
    lines = corpus_text("dev-genres/hk-2003-td-accident-table-trad.json").splitlines()
    hk = [
        ["行車情況", *lines[1].split(), "總計"],
        *([" ".join(c[:-4]), *c[-4:]] for c in (line.split() for line in lines[2:])),
    ]
    grouped = [
        ["罪案類別", "2023年", "2024年", "數量差距", "百份率差距"],
        ["總體罪案", "42 923", "45 315", "+2 392", "+5.6"],
        ["暴力罪案", "8 516", "8 804", "+288", "+3.4"],
        ["詐騙", "27 923", "39 824", "+11 901", "+42.6"],
    ]
    wide = [
        ["類別", "2018年", "2019年", "2020年", "2021年", "2022年", "2023年", "2024年", "差距"],
        *(
            [label, *(f"{n // 1000} {n % 1000:03d}" for n in range(base, base + 7 * step, step)), f"+{step}"]
            for label, base, step in (("總體罪案", 54225, 1217), ("詐騙", 17643, 2361), ("盜竊", 23019, 1302))
        ),
    ]
    wrapped = [
        ["罪案類別(包括未遂及串謀)", "2023年", "2024年"],
        ["由相反方向行駛中的車輛(包括電單車及單車)與行人相撞", "42 923", "45 315"],
        ["涉及酒後駕駛或藥後駕駛的交通意外", "1 204", "1 187"],
    ]
    return [hk, grouped, wide, wrapped, UnruledTable(wide)]


def paragraphs() -> list[str]:
    return [line.strip() for line in corpus_text("dev/cangnan-2024.json").splitlines() if len(line.strip()) > 40]


def pypdf_text(raw: bytes, mode: str) -> str:
    return "\n".join(page.extract_text(extraction_mode=mode) for page in pypdf.PdfReader(io.BytesIO(raw)).pages)


def text_scores(text: str, paras: list[str]) -> tuple[float, float]:
    """Share of paragraphs whole (whitespace ignored), and share whose sentences each stand on one line."""
    flat = _SPACE.sub("", text)
    whole = sum(_SPACE.sub("", p) in flat for p in paras) / len(paras)
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]

    def sentence_on_a_line(sentence: str) -> bool:
        sentence = _SPACE.sub(" ", sentence).strip()
        return any(sentence in line for line in lines)

    unsplit = sum(all(sentence_on_a_line(s) for s in _SENTENCE.split(p) if s.strip()) for p in paras)
    return whole, unsplit / len(paras)


def cell_score(rows_found: list[list[str]], rows: list[list[str]]) -> float:
    found = [tuple(r) for r in rows_found]
    return sum(tuple(r) in found for r in rows) / len(rows)


def timed(function, repeat: int) -> tuple[object, float]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paras, tabs = paragraphs(), tables()
    blocks = [*tabs, *paras] * args.copies
    with tempfile.TemporaryDirectory() as folder:
        raw = pdf_bytes(truetype_cjk_font(characters(blocks), Path(folder) / "cjk.ttf"), blocks)
    pages = len(pypdf.PdfReader(io.BytesIO(raw)).pages)
    all_rows = [row for table in tabs for row in table]
    print(f"{pages} pages: {args.copies} copies of {len(paras)} paragraphs and {len(all_rows)} table rows")
    print(f"{'reader':26} {'text whole':>10} {'unsplit':>9} {'cells':>6} {'ms/page':>8}")
    readers = {
        "pdfplumber (pdf_text)": (lambda: pdf_text(raw, path="bench.pdf"), "\t"),
        "pypdf plain": (lambda: pypdf_text(raw, "plain"), None),
        "pypdf layout": (lambda: pypdf_text(raw, "layout"), "gap"),
    }
    for name, (read, cells) in readers.items():
        text, seconds = timed(read, args.repeat)
        whole, one_line = text_scores(text, paras)
        if cells == "\t":
            found = [line.split("\t") for line in text.splitlines() if "\t" in line]
        elif cells == "gap":
            found = [_COLUMN_GAP.split(line.strip()) for line in text.splitlines()]
        else:
            found = [line.split(" ") for line in text.splitlines()]
        print(
            f"{name:26} {whole:10.2f} {one_line:9.2f} {cell_score(found, all_rows):6.2f} {1000 * seconds / pages:8.1f}"
        )


if __name__ == "__main__":
    main()
