"""The text of a PDF file, tables included, as the reader's text (offsets of statistics index it).

Library: pdfplumber (on pdfminer.six), chosen by measurement against pypdf 7.1 (bench/bench_pdf_readers.py,
PDFs made by fpdf2 in Noto Sans CJK from shipped text: a year review's paragraphs and five tables). Both give
the Chinese text whole; table rows whose cells come back exact: pdfplumber 1.00 (ruled cells, cells that wrap,
columns without rules), pypdf layout mode 0.96 (a cell that wraps breaks its row), pypdf plain 0.58; sentences
whole on one line: 1.00 with pdfplumber's line positions (wrapped lines joined), 0.20 with pypdf's text, which
has none. pypdf is about 8 times faster (29 against 219 ms a page on a loaded 2-core machine): the price of
pdfminer's full page objects, which the cells and positions come from.

Each page gives its text lines top to bottom with its ruled tables in their place, a table as one line per
row with cells separated by a tab (so the table reader sees its columns; a gap of 1.5 character heights
between words of a line is a tab too: a table drawn without rules); lines that a paragraph wrapped at the
right margin are joined again, so a figure split over two lines is whole. Pages are joined by newlines.
A broken, encrypted or image-only PDF is an InputError with a one-line reason.
"""

from __future__ import annotations

import io
import logging
from itertools import pairwise

import pdfplumber
import regex

from metrics.errors import InputError

CELL_SEPARATOR = "\t"
_SENTENCE_END = "。!?;:…!?;:"  # a line ending in these closes its paragraph even at the margin
_WHITESPACE = regex.compile(r"\s+")
_ASCII_LETTER = regex.compile(r"[A-Za-z]")
_COLUMN_GAP = 1.5  # a gap this many character heights wide separates table columns

logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings about odd fonts are not ours to print


def pdf_text(raw: bytes, *, path: str) -> str:
    """The text of every page of the PDF in ``raw``, joined by newlines; InputError when it cannot be read."""
    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            pages = [page_text(page) for page in pdf.pages]
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds; each becomes one line for the user
        raise InputError(path, pdf_failure_reason(exc)) from None
    text = "\n".join(page for page in pages if page)
    if not text.strip():
        raise InputError(path, "PDF without a text layer (scanned pages?): no text to read")
    return text


def pdf_failure_reason(exc: BaseException) -> str:
    """One line saying why a PDF could not be read (pdfplumber wraps pdfminer's error: look inside)."""
    cause = exc.__cause__ or exc.__context__ or exc
    if type(exc).__name__ == "PdfminerException" and exc.args and isinstance(exc.args[0], BaseException):
        cause = exc.args[0]
    name = type(cause).__name__
    if name in ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"):
        return "password-protected (encrypted) PDF: cannot be read without its password"
    if name == "PSEOF":
        return "broken PDF: the file ends too early (truncated?)"
    detail = str(cause).strip() or name
    return f"broken PDF: {detail}"


def page_text(page) -> str:
    """A page's lines top to bottom, its ruled tables rendered in their place, wrapped lines joined."""
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]
    prose = page.filter(lambda obj: not any(inside(obj, box) for box in boxes)) if boxes else page
    lines = text_lines(prose.extract_words())
    items = [(line["top"], "line", line) for line in lines]
    items += [(table.bbox[1], "table", table) for table in tables]
    items.sort(key=lambda item: item[0])
    flowing = [line for line in lines if CELL_SEPARATOR not in line["text"]]
    left = min((line["x0"] for line in flowing), default=0.0)
    right = max((line["x1"] for line in flowing), default=0.0)
    out: list[str] = []
    previous = None  # the last prose line, while it may still continue
    for _, kind, item in items:
        if kind == "table":
            out.extend(table_lines(item.extract()))
            previous = None
            continue
        if previous is not None and continues(previous, item, left=left, right=right):
            out[-1] = join_wrapped(out[-1], item["text"])
        else:
            out.append(item["text"])
        previous = item
    return "\n".join(line for line in out if line.strip())


def text_lines(words: list[dict]) -> list[dict]:
    """Words grouped into lines (top, bottom, x0, x1, text), top to bottom. Words are joined by a space, or by
    a tab across a gap of 1.5 character heights or more: the columns of a table drawn without rules."""
    lines = []
    for cluster in pdfplumber.utils.cluster_objects(words, "top", tolerance=3):
        cluster.sort(key=lambda word: word["x0"])
        parts = [cluster[0]["text"]]
        for before, word in pairwise(cluster):
            size = max(word["bottom"] - word["top"], 1.0)
            parts.append(CELL_SEPARATOR if word["x0"] - before["x1"] >= _COLUMN_GAP * size else " ")
            parts.append(word["text"])
        lines.append(
            {
                "top": min(w["top"] for w in cluster),
                "bottom": max(w["bottom"] for w in cluster),
                "x0": cluster[0]["x0"],
                "x1": max(w["x1"] for w in cluster),
                "text": "".join(parts),
            }
        )
    lines.sort(key=lambda line: line["top"])
    return lines


def inside(obj: dict, box: tuple[float, float, float, float]) -> bool:
    """True when the centre of a page object (a character, a line, a rectangle) lies in ``box``."""
    x0, top, x1, bottom = box
    if "x0" not in obj or "top" not in obj:
        return False
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def table_lines(rows: list[list[str | None]]) -> list[str]:
    """A table as text: one line per row, cells separated by a tab; a cell's wrapped lines joined again."""
    lines = []
    for row in rows:
        cells = [cell_text(cell or "") for cell in row]
        if any(cells):
            lines.append(CELL_SEPARATOR.join(cells))
    return lines


def cell_text(text: str) -> str:
    """A table cell on one line: its lines joined as wrapped lines are, other whitespace runs one space."""
    pieces = [_WHITESPACE.sub(" ", piece).strip() for piece in text.splitlines()]
    joined = ""
    for piece in pieces:
        joined = join_wrapped(joined, piece) if joined else piece
    return joined


def continues(line: dict, following: dict, *, left: float, right: float) -> bool:
    """True when ``following`` carries on the paragraph of ``line``: ``line`` runs to the right margin
    without closing its sentence, and ``following`` starts at the left margin (no new-paragraph indent)."""
    size = max(line["bottom"] - line["top"], 1.0)
    if right - left < 10 * size:  # a page of short lines has no margin to judge by
        return False
    text = line["text"].rstrip()
    if not text or CELL_SEPARATOR in text or CELL_SEPARATOR in following["text"]:
        return False  # a row of a table drawn without rules
    return (
        text[-1] not in _SENTENCE_END
        and line["x1"] >= right - size
        and following["x0"] <= left + size / 2
        and 0 <= following["top"] - line["bottom"] <= 1.5 * size
    )


def join_wrapped(first: str, second: str) -> str:
    """Two pieces of one wrapped line: nothing between them, a space between two Latin words."""
    first = first.rstrip()
    second = second.lstrip()
    if first and second and _ASCII_LETTER.match(first[-1]) and _ASCII_LETTER.match(second[0]):
        return f"{first} {second}"
    return first + second
