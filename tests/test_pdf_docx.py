"""PDF and Word (.docx) files: their text and tables come back, statistics grounded in that text, bad files refused.

How the fixtures are made, at test time, from shipped text (nothing binary is checked in):
- the table is the real Hong Kong table of data/corpus/dev-genres/hk-2003-td-accident-table-trad.json (its
  header line and rows, a row's label and its four figures as cells); the paragraph is the one of
  data/corpus/dev/cangnan-2024.json that holds 刑事打处2129人;
- PDF: fpdf2 writes a title line, the table as a ruled table and the paragraph (wrapped by fpdf2 at the page
  margin), in Noto Sans CJK from Debian's fonts-noto-cjk. fpdf2 embeds that font's CFF outlines in a form
  pdfminer reads as no text at all and pypdf as characters spaced apart (measured), so the test first
  subsets the font to the characters used and converts its outlines to TrueType with fontTools, the kind of
  font Word's PDFs embed; pypdf encrypts a copy for the password-protected case;
- DOCX: python-docx writes the title, the table and the paragraph.
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
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fpdf import FPDF
from pypdf import PdfWriter

from metrics import extract
from metrics.errors import InputError
from metrics.reader import iter_files, read_document

ROOT = Path(__file__).resolve().parent.parent
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")   # Debian: fonts-noto-cjk
SIMPLIFIED_CHINESE = 2                                                     # its face index for "Noto Sans CJK SC"


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
NEXT_PARAGRAPH = next(line.strip() for line in corpus_text("dev/cangnan-2024.json").splitlines()
                      if "网络水军" in line)
TABLE_LINES = ["\t".join(row) for row in TABLE]


# ------------------------------------------------------------------------------------------ fixtures

def truetype_cjk_font(text: str, out: Path) -> Path:
    """Noto Sans CJK reduced to the characters of ``text``, its cubic (CFF) outlines turned quadratic (TrueType)."""
    font = TTFont(CJK_FONT, fontNumber=SIMPLIFIED_CHINESE)
    options = subset.Options()
    options.layout_features = []
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    order = font.getGlyphOrder()
    outlines = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(None)
        outlines[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                  "maxSizeOfInstructions", "maxComponentElements", "maxPoints", "maxContours",
                  "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, field, 0)                                  # recomputed from the glyphs when saved
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType, font["post"].extraNames, font["post"].mapping = 3.0, [], {}
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(out)
    return out


def make_pdf(font: Path, *, with_text: bool = True) -> bytes:
    """A one-page A4 PDF: the title, the table with ruled cells, the paragraph (or a drawing only)."""
    pdf = FPDF()
    pdf.add_page()
    if not with_text:
        pdf.rect(20, 20, 100, 50)
        return bytes(pdf.output())
    pdf.add_font("cjk", fname=str(font))
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 6, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    with pdf.table(first_row_as_headings=False) as table:
        for cells in TABLE:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)
    pdf.multi_cell(0, 6, PARAGRAPH, new_x="LMARGIN", new_y="NEXT")
    # the next paragraph starts at the margin too: only the 。 ending the previous line ends that paragraph
    pdf.multi_cell(0, 6, NEXT_PARAGRAPH, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_docx() -> bytes:
    document = new_docx()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for r, cells in enumerate(TABLE):
        for c, cell in enumerate(cells):
            table.cell(r, c).text = cell
    document.add_paragraph(PARAGRAPH)
    document.add_paragraph(NEXT_PARAGRAPH)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypted(pdf: bytes, *, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("office")
    used = TITLE + "".join("".join(row) for row in TABLE) + PARAGRAPH + NEXT_PARAGRAPH
    font = truetype_cjk_font(used, folder / "cjk.ttf")
    pdf = make_pdf(font)
    docx = make_docx()
    made = {
        "report.pdf": pdf,
        "report.docx": docx,
        "owner-only.pdf": encrypted(pdf, user_password=""),     # opens without a password, as readers do
        "locked.pdf": encrypted(pdf, user_password="user-secret"),
        "truncated.pdf": pdf[: len(pdf) // 2],
        "scanned.pdf": make_pdf(font, with_text=False),
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
    assert PARAGRAPH in lines                       # the PDF's wrapped lines are joined again
    assert lines[lines.index(PARAGRAPH) + 1] == NEXT_PARAGRAPH
    for expected in TABLE_LINES:
        assert expected in lines, expected
    assert lines.index(TITLE) < lines.index(TABLE_LINES[0]) < lines.index(TABLE_LINES[-1]) < lines.index(PARAGRAPH)
    assert text.count("14436") == 1                 # the table is written once, not also as loose text


def test_table_cells_are_the_table_readers_columns(files):
    """Each row line splits on its tabs into the label and the four figures of the shipped table."""
    text = read_document(files["report.pdf"]).text
    rows = [line.split("\t") for line in text.splitlines() if "\t" in line]
    assert rows == TABLE


@pytest.mark.parametrize("name", ["report.pdf", "report.docx"])
def test_extract_finds_the_paragraph_statistics_grounded_in_the_produced_text(files, name, tmp_path):
    out = tmp_path / "stats.csv"
    result = subprocess.run([sys.executable, "-m", "metrics", "extract", str(files[name]), "-o", str(out),
                             "--published", "2025-01-10"],
                            check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = pd.read_csv(out)
    text = read_document(files[name]).text
    assert all(text[start:end] == surface for start, end, surface in rows[["start", "end", "surface"]].values)
    wanted = {(r.surface, r.metric, r.kind) for r in extract(PARAGRAPH, published="2025-01-10")}
    found = set(zip(rows["surface"], rows["metric"].fillna(""), rows["kind"]))
    assert {("2129人", "刑事打处", "count"), ("上升7.8%", "刑事打处", "change_pct")} <= wanted
    assert wanted <= found


@pytest.mark.parametrize("name, reason", [
    ("locked.pdf", "password-protected (encrypted) PDF"),
    ("truncated.pdf", "broken PDF: the file ends too early"),
    ("scanned.pdf", "PDF without a text layer"),
    ("truncated.docx", "broken Word file"),
    ("not-a-zip.docx", "broken Word file"),
])
def test_bad_file_is_an_input_error_with_a_reason(files, name, reason):
    with pytest.raises(InputError) as caught:
        read_document(files[name])
    assert reason in caught.value.reason
    assert "\n" not in str(caught.value)


def test_encrypted_word_file_is_named_as_such(tmp_path):
    """Word saves a password-protected .docx as an OLE compound file; its 8-byte signature is enough to say so."""
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(InputError, match="password-protected"):
        read_document(path)


def test_bad_files_exit_1_one_line_each_and_the_rest_is_processed(files):
    folder = files["report.pdf"].parent
    assert {p.name for p in iter_files([folder])} == set(files)   # .pdf and .docx are found in folders
    result = subprocess.run([sys.executable, "-m", "metrics", "extract", str(folder), "--published", "2025-01-10"],
                            check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("metrics: ")]
    bad = ["locked.pdf", "truncated.pdf", "scanned.pdf", "truncated.docx", "not-a-zip.docx"]
    assert sorted(line.split(": ")[1].rsplit("/", 1)[-1] for line in errors) == sorted(bad)
    rows = pd.read_csv(io.StringIO(result.stdout.lstrip("\ufeff")))
    read = {Path(p).name for p in rows["doc_id"].astype(str)}
    assert {"report", "owner-only"} <= read                      # both PDFs, the Word file and the text
    assert rows[rows["surface"] == "2129人"].shape[0] == 4       # report.pdf, owner-only.pdf, .docx, .txt


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
