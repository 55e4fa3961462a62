"""The text of a PDF file, tables included, as the reader's text (offsets of statistics index it).

Library: pdfplumber (on pdfminer.six), chosen by measurement against pypdf 7.1 on the PDFs the tests make
(fpdf2, Noto Sans CJK as TrueType; a ruled table from a Hong Kong statistics table and a paragraph of a
year review): both give the same Chinese text, but only pdfplumber finds the table's cells (pypdf's layout
mode pads columns with spaces, which cannot be told from the space that groups thousands, ``42 923``);
pypdf is faster (7 ms against 26 ms a page), which is small beside the extractor's own time.

Each page gives its text lines top to bottom with its ruled tables in their place, a table as one line per
row with cells separated by a tab (so the table reader sees its columns); lines that a paragraph wrapped at
the right margin are joined again, so a figure split over two lines is whole. Pages are joined by newlines.
A broken, encrypted or image-only PDF is an InputError with a one-line reason.
"""

from __future__ import annotations

import io
import logging

import pdfplumber
import regex

from metrics.errors import InputError

CELL_SEPARATOR = "\t"
_SENTENCE_END = "。!?;:…!?;:"     # a line ending in these closes its paragraph even at the margin
_WHITESPACE = regex.compile(r"\s+")
_ASCII_LETTER = regex.compile(r"[A-Za-z]")

logging.getLogger("pdfminer").setLevel(logging.ERROR)   # its warnings about odd fonts are not ours to print


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
    lines = prose.extract_text_lines(return_chars=False)
    items = [(line["top"], "line", line) for line in lines]
    items += [(table.bbox[1], "table", table) for table in tables]
    items.sort(key=lambda item: item[0])
    right = max((line["x1"] for line in lines), default=0.0)
    left = min((line["x0"] for line in lines), default=0.0)
    out: list[str] = []
    previous = None                       # the last prose line, while it may still continue
    for _, kind, item in items:
        if kind == "table":
            rows = table_lines(item.extract())
            out.extend(rows)
            previous = None
            continue
        if previous is not None and continues(previous, item, left=left, right=right):
            out[-1] = join_wrapped(out[-1], item["text"])
        else:
            out.append(item["text"])
        previous = item
    return "\n".join(line for line in out if line.strip())


def inside(obj: dict, box: tuple[float, float, float, float]) -> bool:
    """True when the centre of a page object (a character, a line, a rectangle) lies in ``box``."""
    x0, top, x1, bottom = box
    if "x0" not in obj or "top" not in obj:
        return False
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def table_lines(rows: list[list[str | None]]) -> list[str]:
    """A table as text: one line per row, cells separated by a tab; a cell's own line breaks become spaces."""
    lines = []
    for row in rows:
        cells = [_WHITESPACE.sub(" ", cell or "").strip() for cell in row]
        if any(cells):
            lines.append(CELL_SEPARATOR.join(cells))
    return lines


def continues(line: dict, following: dict, *, left: float, right: float) -> bool:
    """True when ``following`` carries on the paragraph of ``line``: ``line`` runs to the right margin
    without closing its sentence, and ``following`` starts at the left margin (no new-paragraph indent)."""
    size = max(line["bottom"] - line["top"], 1.0)
    if right - left < 10 * size:                      # a page of short lines has no margin to judge by
        return False
    text = line["text"].rstrip()
    return (bool(text) and text[-1] not in _SENTENCE_END
            and line["x1"] >= right - size
            and following["x0"] <= left + size / 2
            and 0 <= following["top"] - line["bottom"] <= 1.5 * size)


def join_wrapped(first: str, second: str) -> str:
    """Two pieces of one wrapped line: nothing between them, a space between two Latin words."""
    first = first.rstrip()
    second = second.lstrip()
    if first and second and _ASCII_LETTER.match(first[-1]) and _ASCII_LETTER.match(second[0]):
        return f"{first} {second}"
    return first + second
