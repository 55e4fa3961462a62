"""Reader: every encoding and wrapper of a shipped report yields the same statistics at the same offsets.

Tables: ENCODED (plain text re-encoded), PAGES (the report inside a government page, declared or not),
BAD_FILES (what must fail, and with which reason). Inputs are built from data/corpus at test time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from metrics import extract, to_frame
from metrics.errors import InputError, UsageError
from metrics.sources.files import (
    decode_bytes,
    document_from_bytes,
    guess_region,
    iter_files,
    read_document,
    read_documents,
)
from support import article_lines, encodable, gov_page, grounded_rows, shipped_report

KEY = ["surface", "value", "kind", "unit", "start", "end"]

# (report, encoding): the report's text as a .txt file in that encoding.
ENCODED = [
    ("cangnan-2024", "utf-8"),
    ("cangnan-2024", "utf-8-sig"),
    ("cangnan-2024", "gb18030"),
    ("xiamen-2022-06", "gbk"),
    ("jiangsu-2023", "gb2312"),
    ("fujian-2021-trad", "big5hkscs"),
    ("shaanxi-2021-trad", "big5hkscs"),
    ("lasa-2023-q1", "big5"),
    ("hunan-2023", "utf-16"),
    ("qinghai-2021", "gb18030"),
]


def stats(text: str):
    return to_frame(extract(text, published="2025-01-10"))[KEY]


@pytest.mark.parametrize("doc_id, encoding", ENCODED, ids=[f"{d}-{e}" for d, e in ENCODED])
def test_reencoded_text_gives_identical_text_and_statistics(doc_id, encoding):
    text = shipped_report(doc_id)["text"]
    if encoding == "gb2312":
        text = "".join(ch for ch in text if encodable(ch, "gb2312"))
    doc = document_from_bytes(text.encode(encoding), name=f"{doc_id}.txt")
    assert doc.text == text
    assert stats(doc.text).equals(stats(text))


# (report, declared charset in the page, bytes encoding)
PAGES = [
    ("cangnan-2024", "utf-8", "utf-8"),
    ("cangnan-2024", "gbk", "gb18030"),
    ("xiamen-2021-10", "gb2312", "gb18030"),
    ("fujian-2021-trad", "big5", "big5hkscs"),
    ("zhejiang-2023-jan-nov", None, "gb18030"),  # nothing declared: the detector decides
    ("shaanxi-2021-trad", None, "big5hkscs"),
    ("hebei-2019", "utf-8", "gb18030"),  # declared wrongly: the bytes win
    ("guangdong-2022", None, "utf-16"),
]


@pytest.mark.parametrize("doc_id, declared, encoding", PAGES, ids=[f"{d}-{c}-{e}" for d, c, e in PAGES])
def test_government_page_gives_the_article_statistics_at_shifted_offsets(doc_id, declared, encoding):
    report = shipped_report(doc_id)
    traditional = encoding.startswith("big5")
    page = gov_page(report["text"], charset=declared, traditional=traditional)
    doc = document_from_bytes(page.encode(encoding), name=f"{doc_id}.html")
    article = "\n".join(article_lines(report["text"]))
    offset = doc.text.find(article)
    assert offset >= 0, "the article text is kept whole"
    for furniture in ("0571-87654321", "ICP备", "公网安备", "逮捕777人", "破案999起", "访问量", "555人", "88888人"):
        assert furniture not in doc.text
    found = to_frame(extract(doc.text, published="2025-01-10"))
    assert grounded_rows(found, doc.text)
    inside = found[(found.start >= offset) & (found.end <= offset + len(article))][KEY].copy()
    inside[["start", "end"]] -= offset
    assert inside.reset_index(drop=True).equals(stats(article))
    assert doc.published == "2025-01-10"
    assert doc.source == "https://gaj.example.gov.cn/art/2025/1/10/art_1.html"
    assert doc.title == ("公安局通報" if traditional else "公安局通报")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5hkscs"])
def test_a_few_invalid_bytes_keep_the_good_text(encoding):
    text = shipped_report("fujian-2021-trad")["text"]
    raw = text.encode(encoding)
    cut = raw.index(b"\n") + 1
    doc = document_from_bytes(raw[:cut] + b"\xff\xff" + raw[cut:], name="x.txt")
    assert doc.text.replace("\ufffd", "") == text
    assert doc.text.count("\ufffd") in (1, 2)
    found = stats(doc.text)
    assert grounded_rows(found, doc.text)
    assert found[["surface", "value"]].equals(stats(text)[["surface", "value"]])


def test_json_corpus_file_keeps_its_own_fields(tmp_path):
    report = shipped_report("xiamen-2025")
    path = tmp_path / "renamed.json"
    path.write_text(__import__("json").dumps(report, ensure_ascii=False), encoding="utf-8")
    doc = read_document(path)
    assert (doc.doc_id, doc.text, doc.region, doc.published, doc.source) == (
        report["doc_id"],
        report["text"],
        report["region"],
        report["published"],
        report["source"],
    )


def test_json_without_doc_id_falls_back_to_the_file_stem(tmp_path):
    path = tmp_path / "my-report.json"
    path.write_text('{"text": "全年刑事打处2129人"}', encoding="utf-8")
    assert read_document(path).doc_id == "my-report"


BAD_FILES = [
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("noise.txt", bytes(range(0x80, 0x100)) * 40, "undecodable"),
    ("bad.json", b"{not json", "not valid JSON"),
    ("list.json", b"[1, 2]", "without a 'text' field"),
]


@pytest.mark.parametrize("name, data, reason", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_are_input_errors_with_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=reason):
        read_document(path)


def test_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        read_document(fifo)  # would block forever if opened for reading


def test_broken_link_and_directory_walk(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("全年刑事打处2129人", encoding="utf-8")
    (tmp_path / "a" / "skip.doc").write_bytes(b"\xd0\xcf\x11\xe0")  # old binary Word: not read
    (tmp_path / "a" / "loop").symlink_to(tmp_path)  # a symlink loop
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere")
    results = list(read_documents([tmp_path]))
    docs = [r for r in results if not isinstance(r, InputError)]
    errors = [r for r in results if isinstance(r, InputError)]
    assert [d.doc_id for d in docs] == ["one"]
    assert [e.reason for e in errors] == ["broken link"]


def test_missing_path_is_a_usage_error_before_any_file(tmp_path):
    (tmp_path / "good.txt").write_text("x", encoding="utf-8")
    files = iter_files([tmp_path / "good.txt", tmp_path / "missing.txt"])
    with pytest.raises(UsageError, match="missing.txt"):
        next(files)


def test_html_entities_decoded_and_no_external_entity_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT", encoding="utf-8")
    page = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<html><body><p>破案&nbsp;12&#36215;&amp;&x;</p><p>&lt;script&gt;</p></body></html>"
    )
    doc = document_from_bytes(page.encode(), name="p.html")
    assert "SECRET" not in doc.text
    assert "破案\xa012起&" in doc.text
    assert "<script>" in doc.text  # shown as text, never markup


def test_declared_charset_honoured_over_detection():
    text = "发布时间:2024年3月5日\n全市破获刑事案件1200起"
    page = f'<html><head><meta charset="gb2312"></head><body><p>{text}</p></body></html>'
    assert decode_bytes(page.encode("gb18030"), html=True)[1] == "gb18030"


REGIONS = [
    ("据廊坊市公安局消息,全市破案120起", "廊坊市"),
    ("记者从市公安局获悉", None),
    ("今年以来,苍南公安打击犯罪", "苍南县"),
]


@pytest.mark.parametrize("text, region", REGIONS)
def test_region_guess(text, region):
    assert guess_region(text) == region


# A county's report on a provincial news site names the province (its newspaper, its copyright line) more
# often than the county: the reader's region is what the extractor's resolver reads, not the most named place.
COUNTY_ON_A_PROVINCE_SITE = (
    "中国甘肃网1月27日讯(本网记者 程健)1月26日下午,兰州市公安局安宁分局举行电信网络诈骗追缴资金返还仪式,"
    "为群众返还被骗资金68万余元。2021年,安宁公安共破获电信网络诈骗案件120起。\n"
    "相关新闻:甘肃省公安厅部署冬季行动 甘肃日报 每日甘肃网 甘肃省版权所有"
)


def test_a_plain_text_report_is_read_for_its_own_jurisdiction(tmp_path):
    path = tmp_path / "anning.txt"
    path.write_text(COUNTY_ON_A_PROVINCE_SITE, encoding="gb18030")
    doc = read_document(path)
    assert doc.region == "安宁区"
    codes = {r.region_code for r in extract(doc.text, published="2022-01-27", region=doc.region)}
    assert codes == {"620105"}


# ------------------------------------------------------------------------------------------ HTML tables


def hk_table_rows() -> list[list[str]]:
    """The shipped Hong Kong accident table (dev-genres) as rows of cells, header first (its corner cell empty)."""
    corpus = Path(__file__).resolve().parent.parent / "data" / "corpus" / "dev-genres"
    text = (corpus / "hk-2003-td-accident-table-trad.json").read_text(encoding="utf-8")
    lines = json.loads(text)["text"].splitlines()
    header = ["", *lines[1].split(), "總計"]
    return [header, *([" ".join(c[:-4]), *c[-4:]] for c in (line.split() for line in lines[2:]))]


def html_table(rows: list[list[str]]) -> str:
    """A table as office software exports it to the web: header cells, each cell's text in a <p> and <span>."""

    def cells(row, tag):
        return "".join(f'<{tag} width="80"><p align="center"><span lang="ZH-TW">{c}</span></p></{tag}>\n' for c in row)

    body = "".join(f"<tr>\n{cells(row, 'td')}</tr>\n" for row in rows[1:])
    return f"<table border=1>\n<thead><tr>{cells(rows[0], 'th')}</tr></thead>\n<tbody>{body}</tbody></table>"


def test_html_table_rows_are_tab_separated_lines():
    rows = hk_table_rows()
    page = gov_page("行車情況意外嚴重程度總計", charset="utf-8", traditional=True)
    after_article = f'{html_table(rows)}\n<p>註:括號內為小計。</p>\n</div>\n<div class="footer">'
    page = page.replace('</div>\n<div class="footer">', after_article, 1)
    doc = document_from_bytes(page.encode("utf-8"), name="hk.html")
    lines = doc.text.splitlines()
    table = [line.split("\t") for line in lines if "\t" in line]
    assert table == rows
    title, header, note = (
        lines.index(line) for line in ("行車情況意外嚴重程度總計", "\t".join(rows[0]), "註:括號內為小計。")
    )
    assert title < header < note


@pytest.mark.parametrize(
    "markup, text",
    [
        # a layout table: a cell of several paragraphs keeps one line per block, as before
        (
            "<table><tr><td><p>刑事打处2129人</p><p>逮捕684人</p></td><td>侧栏</td></tr></table>",
            "刑事打处2129人\n逮捕684人\n侧栏",
        ),
        # a row of one cell is a block, not a table row
        ("<table><tr><td>全年破案120起</td></tr><tr><td>抓获80人</td></tr></table>", "全年破案120起\n抓获80人"),
        # a data row: line breaks inside a cell do not end the row; empty cells keep the columns
        (
            "<p>前文</p><table><tr><td>诈骗<br>案件</td><td> 1 234 </td><td>&nbsp;</td><td>+5.6</td></tr></table>"
            "<p>后文</p>",
            "前文\n诈骗案件\t1 234\t\t+5.6\n后文",
        ),
    ],
)
def test_html_table_kinds(markup, text):
    doc = document_from_bytes(f"<html><body>{markup}</body></html>".encode(), name="t.html")
    assert doc.text == text


def test_the_encoding_detector_is_asked_only_when_no_candidate_reads_as_chinese(monkeypatch):
    """charset-normalizer costs ~3 ms a file: a GB18030 report is decoded without it, bytes that no
    candidate codec reads as Chinese still go to it."""
    from metrics.sources import encodings

    asked = []
    real = encodings._detector_guess
    monkeypatch.setattr(encodings, "_detector_guess", lambda raw: asked.append(len(raw)) or real(raw))
    text = shipped_report("cangnan-2024")["text"]
    assert decode_bytes(text.encode("gb18030")) == (text, "gb18030")
    assert asked == []
    with pytest.raises(InputError):
        decode_bytes(bytes(range(0x80, 0x100)) * 40)  # high bytes that read as nothing
    assert len(asked) == 1
