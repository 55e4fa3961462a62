"""The text of a Word (.docx) file, tables included, as the reader's text (offsets of statistics index it).

python-docx reads the body in document order: each paragraph is a line, each table one line per row with
its cells separated by a tab (so the table reader sees its columns). A cell merged over several columns or
rows is written once, in its first place, the places it covers left empty: the columns stay aligned and no
figure is counted twice. Headers, footers and comments are left out. A broken or password-protected file
is an InputError with a one-line reason.
"""

from __future__ import annotations

import io
import zipfile

import regex
from docx import Document as open_docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from metrics.errors import InputError

CELL_SEPARATOR = "\t"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .docx is an OLE container, not a zip
_WHITESPACE = regex.compile(r"\s+")


def docx_text(raw: bytes, *, path: str) -> str:
    """The paragraphs and tables of the .docx in ``raw``, in document order; InputError when unreadable."""
    if raw.startswith(_OLE_MAGIC):
        raise InputError(path, ole_reason(raw))
    try:
        document = open_docx(io.BytesIO(raw))
        lines = [line for block in document.iter_inner_content() for line in block_lines(block)]
    except zipfile.BadZipFile:
        raise InputError(path, "broken Word file: not a complete .docx (zip) archive; cut short, or not Word") from None
    except Exception as exc:  # noqa: BLE001 - XML and package errors alike become one line
        raise InputError(path, f"broken Word file: {type(exc).__name__}: {exc}".strip()) from None
    text = "\n".join(lines)
    if not text.strip():
        raise InputError(path, "Word file without text")
    return text


def ole_reason(raw: bytes) -> str:
    """Why an OLE compound file named .docx cannot be read: Office's encryption, or Word's old binary format
    (told by the stream names in its directory, stored as UTF-16)."""
    if "EncryptionInfo".encode("utf-16-le") in raw:
        return "password-protected (encrypted) Word file: save it without a password first"
    if "WordDocument".encode("utf-16-le") in raw:
        return "an old binary Word (.doc) file named .docx: save it as .docx first"
    return "not a .docx file (an OLE compound file)"


def block_lines(block: Paragraph | Table) -> list[str]:
    """The lines of one body element: a paragraph's text, or a table's rows."""
    if isinstance(block, Table):
        return table_lines(block)
    text = block.text.strip()
    return [text] if text else []


def table_lines(table: Table) -> list[str]:
    """One line per row, cells separated by a tab; a merged cell only in the first place it covers."""
    seen = set()  # the cells' XML elements (kept alive, so a merged cell is the same element)
    lines = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            cells.append("" if cell._tc in seen else cell_text(cell.text))
            seen.add(cell._tc)
        if any(cells):
            lines.append(CELL_SEPARATOR.join(cells))
    return lines


def cell_text(text: str) -> str:
    """A cell's text on one line: its line breaks and tabs become single spaces."""
    return _WHITESPACE.sub(" ", text).strip()
