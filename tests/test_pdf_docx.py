"""PDF and Word (.docx) files: their text and tables come back, statistics grounded in that text, bad files refused.

How the fixtures are made, at test time, from shipped text (nothing binary is checked in; tests/office_fixtures.py):
- the table is the real Hong Kong table of data/corpus/dev-genres/hk-2003-td-accident-table-trad.json (its
  header line and rows, a row's label and its four figures as cells); the paragraphs are two of
  data/corpus/dev/cangnan-2024.json, the first holding 刑事打处2129人;
- PDF: fpdf2 writes the title line, the table as a ruled table and the paragraphs (wrapped by fpdf2 at the
  page margin), in Noto Sans CJK (Debian's fonts-noto-cjk) reduced to the characters used and converted to
  TrueType outlines with fontTools (fpdf2's embedding of the CFF original reads as no text in pdfminer);
  pypdf encrypts copies (AES-256) for the password-protected and the owner-password-only cases;
- DOCX: python-docx writes the same blocks; broken files are the good ones cut in half, or text named .docx;
  msoffcrypto-tool encrypts one with a password as Word does.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx import Document as new_docx
from msoffcrypto.format.ooxml import OOXMLFile
from office_fixtures import (
    UnruledTable,
    characters,
    docx_bytes,
    encrypted_pdf,
    pdf_bytes,
    truetype_cjk_font,
)

from metrics import extract
from metrics.errors import InputError
from metrics.sources.files import iter_files, read_document

ROOT = Path(__file__).resolve().parent.parent


def corpus_text(path: str) -> str:
    return json.loads((ROOT / "data" / "corpus" / path).read_text(encoding="utf-8"))["text"]


def hk_table() -> tuple[str, list[list[str]]]:
    """The title line and the rows (header first) of the shipped Hong Kong accident table."""
    lines = corpus_text("dev-genres/hk-2003-td-accident-table-trad.json").splitlines()
    header = ["行車情況", *lines[1].split(), "總計"]
    rows = [[" ".join(cells[:-4]), *cells[-4:]] for cells in (line.split() for line in lines[2:])]
    assert all(len(row) == len(header) == 5 for row in rows)
    return lines[0], [header, *rows]


TITLE, TABLE = hk_table()
PARAGRAPH = next(line.strip() for line in corpus_text("dev/cangnan-2024.json").splitlines() if "2129人" in line)
NEXT_PARAGRAPH = next(
    line.strip() for line in corpus_text("dev/cangnan-2024.json").splitlines() if "网络水军" in line
)  # starts at the margin too: only the 。 before it ends the paragraph
TABLE_LINES = ["\t".join(row) for row in TABLE]
BLOCKS = [TITLE, TABLE, PARAGRAPH, NEXT_PARAGRAPH]


def password_protected_docx(docx: bytes, password: str) -> bytes:
    """The .docx encrypted as Word does with a password (an OLE container holding EncryptionInfo)."""
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(docx)).encrypt(password, encrypted)
    return encrypted.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("office")
    font = truetype_cjk_font(characters(BLOCKS), folder / "cjk.ttf")
    pdf = pdf_bytes(font, BLOCKS)
    docx = docx_bytes(BLOCKS)
    made = {
        "report.pdf": pdf,
        "report.docx": docx,
        "owner-only.pdf": encrypted_pdf(pdf, user_password=""),  # opens without a password, as readers do
        "locked.pdf": encrypted_pdf(pdf, user_password="user-secret"),
        "truncated.pdf": pdf[: len(pdf) // 2],
        "scanned.pdf": pdf_bytes(None, []),  # a page with a drawing and no text
        "locked.docx": password_protected_docx(docx, "user-secret"),
        "truncated.docx": docx[: len(docx) // 2],
        "not-a-zip.docx": PARAGRAPH.encode("utf-8"),
        "report.txt": PARAGRAPH.encode("utf-8"),
    }
    paths = {}
    for name, data in made.items():
        paths[name] = folder / "inputs" / name
        paths[name].parent.mkdir(exist_ok=True)
        paths[name].write_bytes(data)
    return paths


# --------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", ["report.pdf", "report.docx", "owner-only.pdf"])
def test_text_and_table_rows_come_back(files, name):
    text = read_document(files[name]).text
    lines = text.splitlines()
    assert TITLE in lines
    assert PARAGRAPH in lines  # the PDF's wrapped lines are joined again
    assert lines[lines.index(PARAGRAPH) + 1] == NEXT_PARAGRAPH
    for expected in TABLE_LINES:
        assert expected in lines, expected
    assert lines.index(TITLE) < lines.index(TABLE_LINES[0]) < lines.index(TABLE_LINES[-1]) < lines.index(PARAGRAPH)
    assert text.count("14436") == 1  # the table is written once, not also as loose text


def test_table_cells_are_the_table_readers_columns(files):
    """Each row line splits on its tabs into the label and the four figures of the shipped table."""
    text = read_document(files["report.pdf"]).text
    rows = [line.split("\t") for line in text.splitlines() if "\t" in line]
    assert rows == TABLE


@pytest.mark.parametrize("name", ["report.pdf", "report.docx"])
def test_extract_finds_the_paragraph_statistics_grounded_in_the_produced_text(files, name, tmp_path):
    out = tmp_path / "stats.csv"
    result = subprocess.run(
        [sys.executable, "-m", "metrics", "extract", str(files[name]), "-o", str(out), "--published", "2025-01-10"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = pd.read_csv(out)
    text = read_document(files[name]).text
    assert all(text[start:end] == surface for start, end, surface in rows[["start", "end", "surface"]].values)
    wanted = {(r.surface, r.metric, r.kind) for r in extract(PARAGRAPH, published="2025-01-10")}
    found = set(zip(rows["surface"], rows["metric"].fillna(""), rows["kind"]))
    assert {("2129人", "刑事打处", "count"), ("上升7.8%", "刑事打处", "change_pct")} <= wanted
    assert wanted <= found


@pytest.mark.parametrize(
    "name, reason",
    [
        ("locked.pdf", "password-protected (encrypted) PDF"),
        ("truncated.pdf", "broken PDF: the file ends too early"),
        ("scanned.pdf", "PDF without a text layer"),
        ("locked.docx", "password-protected (encrypted) Word file"),
        ("truncated.docx", "broken Word file: not a complete .docx"),
        ("not-a-zip.docx", "broken Word file"),
    ],
)
def test_bad_file_is_an_input_error_with_a_reason(files, name, reason):
    with pytest.raises(InputError) as caught:
        read_document(files[name])
    assert reason in caught.value.reason
    assert "\n" not in str(caught.value)


def test_bad_files_exit_1_one_line_each_and_the_rest_is_processed(files):
    folder = files["report.pdf"].parent
    assert {p.name for p in iter_files([folder])} == set(files)  # .pdf and .docx are found in folders
    result = subprocess.run(
        [sys.executable, "-m", "metrics", "extract", str(folder), "--published", "2025-01-10"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("metrics: ")]
    bad = ["locked.pdf", "truncated.pdf", "scanned.pdf", "locked.docx", "truncated.docx", "not-a-zip.docx"]
    assert sorted(line.split(": ")[1].rsplit("/", 1)[-1] for line in errors) == sorted(bad)
    rows = pd.read_csv(io.StringIO(result.stdout.lstrip("\ufeff")))
    read = {Path(p).name for p in rows["doc_id"].astype(str)}
    assert {"report", "owner-only"} <= read  # both PDFs, the Word file and the text
    assert rows[rows["surface"] == "2129人"].shape[0] == 4  # report.pdf, owner-only.pdf, .docx, .txt


# a ruled table whose long row labels wrap inside their cells (labels in the words of Hong Kong's tables)
WRAPPED_CELLS = [
    ["罪案類別(包括未遂及串謀)", "2023年", "2024年"],
    ["由相反方向行駛中的車輛(包括電單車及單車)與行人相撞", "42 923", "45 315"],
]


def test_pdf_table_without_rules_and_cells_that_wrap(tmp_path):
    """Columns drawn only by spacing become tabs; a cell's wrapped label is joined again, not split into rows."""
    blocks = [UnruledTable(TABLE), WRAPPED_CELLS, PARAGRAPH]
    path = tmp_path / "tables.pdf"
    path.write_bytes(pdf_bytes(truetype_cjk_font(characters(blocks), tmp_path / "cjk.ttf"), blocks))
    lines = read_document(path).text.splitlines()
    assert [line.split("\t") for line in lines if "\t" in line] == [*TABLE, *WRAPPED_CELLS]
    assert lines[-1] == PARAGRAPH


def test_docx_merged_cell_written_once_columns_kept(tmp_path):
    document = new_docx()
    table = document.add_table(rows=3, cols=3)
    for r in range(3):
        for c in range(3):
            table.cell(r, c).text = f"{r}{c}"
    table.cell(0, 0).merge(table.cell(0, 1)).text = "類別"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "罪案"
    path = tmp_path / "merged.docx"
    document.save(path)
    assert read_document(path).text.splitlines() == ["類別\t\t02", "罪案\t11\t12", "\t21\t22"]


def test_docx_zip_without_a_document_part_is_broken(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a Word file")
    path = tmp_path / "empty.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match="broken Word file"):
        read_document(path)
