"""PDF and Word files made at test time from text and tables (tests/test_pdf_docx.py, bench/bench_pdf_readers.py).

A document is a list of blocks: a string is a paragraph, a list of rows (lists of cells) is a ruled table,
an ``UnruledTable`` of rows a table drawn without rules (its columns only spaced apart).
PDF: fpdf2 with Noto Sans CJK from Debian's fonts-noto-cjk. fpdf2 embeds that font's CFF outlines in a form
pdfminer reads as no text at all and pypdf as characters spaced apart (measured), so the font is first reduced
to the characters used and its outlines converted to TrueType with fontTools, the kind of font Word's PDFs
embed. Word: python-docx. Encryption: pypdf.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as new_docx
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fpdf import FPDF
from pypdf import PdfWriter

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # Debian: fonts-noto-cjk
SIMPLIFIED_CHINESE = 2  # its face "Noto Sans CJK SC"
Block = str | list[list[str]]


class UnruledTable(list):
    """Rows of cells to draw without rules (in Word: a table without borders)."""


def characters(blocks: list[Block]) -> str:
    """Every character the blocks use (what the font must hold)."""
    return "".join(block if isinstance(block, str) else "".join("".join(row) for row in block) for block in blocks)


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
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxComponentDepth",
    ):
        setattr(maxp, field, 0)  # recomputed from the glyphs when saved
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType, font["post"].extraNames, font["post"].mapping = 3.0, [], {}
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(out)
    return out


def pdf_bytes(font: Path | None, blocks: list[Block]) -> bytes:
    """An A4 PDF of the blocks in 10-point type, paragraphs wrapped at the margin (no font: a drawing only)."""
    pdf = FPDF()
    pdf.add_page()
    if font is None:
        pdf.rect(20, 20, 100, 50)
        return bytes(pdf.output())
    pdf.add_font("cjk", fname=str(font))
    pdf.set_font("cjk", size=10)
    for block in blocks:
        if isinstance(block, str):
            pdf.multi_cell(0, 6, block, new_x="LMARGIN", new_y="NEXT")
            continue
        pdf.ln(3)
        borders = "NONE" if isinstance(block, UnruledTable) else "ALL"
        with pdf.table(first_row_as_headings=False, borders_layout=borders) as table:
            for cells in block:
                row = table.row()
                for cell in cells:
                    row.cell(cell)
        pdf.ln(3)
    return bytes(pdf.output())


def docx_bytes(blocks: list[Block]) -> bytes:
    """A Word file of the blocks: a paragraph each, tables as Word tables."""
    document = new_docx()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=len(block), cols=len(block[0]))
        for r, cells in enumerate(block):
            for c, cell in enumerate(cells):
                table.cell(r, c).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypted_pdf(pdf: bytes, *, user_password: str) -> bytes:
    """The PDF encrypted with AES-256 (an empty user password opens without asking, like a print-protected file)."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
