"""Fuzzing: arbitrary Unicode, report fragments spliced with junk, and random bytes through reading and
extraction never raise (other than InputError for unreadable bytes), keep every span grounded and every
value finite. Bytes go through metrics.sources.files.decode_bytes / document_from_bytes under each suffix.
"""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import extract
from metrics.errors import ImplausibleValueWarning, InputError
from metrics.extraction.pipeline import extract_parts
from metrics.sources.files import decode_bytes, document_from_bytes

FRAGMENTS = [
    "全年",
    "刑事案件",
    "破获",
    "抓获嫌疑人",
    "同比",
    "环比",
    "分别",
    "下降",
    "上升",
    "7.1%",
    "2129人",
    "、",
    ",",
    "。",
    "；",
    "万",
    "亿",
    "余",
    "约",
    "以上",
    "二十",
    "两千",
    "三分之一",
    "百分之九十五",
    "近八成",
    "萬(wàn)",
    "１２３",
    "2,129",
    "2024年",
    "2023年至2024年",
    "去年",
    "一季度",
    "1-11月",
    "\n",
    "\r\n",
    "0577-68881655",
    "净网2024",
    "第五个",
    "个百分点",
    "倍",
    "(",
    "“",
    "<p>",
    "</div>",
    "&nbsp;",
    "&#36215;",
    "<script>",
    "\x00",
    "\ufeff",
    "\u3000",
    "\x1f",
    "\ud7ff",
    "🚓",
    "\u202e",
]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "big5hkscs", "utf-16", "gbk"]
SUFFIXES = ["r.txt", "r.html", "r.htm", "r.json", "r", "r.TXT"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

report_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=50).map("".join)


def check(text: str, published: str | None = None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImplausibleValueWarning)
        rows = extract(text, published=published)
    for r in rows:
        assert text[r.start : r.end] == r.surface
        assert r.start < r.end
        assert math.isfinite(r.value)


@SETTINGS
@given(st.text())
def test_arbitrary_unicode(text):
    check(text)


@SETTINGS
@given(report_like)
def test_report_fragments_spliced_with_junk(text):
    check(text, published="2025-01-10")


@SETTINGS
@given(st.binary(max_size=3000), st.booleans())
def test_random_bytes_decode_to_text_or_an_input_error(raw, html):
    try:
        text, codec = decode_bytes(raw, html=html)
    except InputError as exc:
        assert exc.reason
        return
    assert isinstance(text, str) and codec
    check(text)


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from(SUFFIXES))
def test_random_bytes_read_as_any_file_kind(raw, name):
    try:
        doc = document_from_bytes(raw, name=name)
    except InputError:
        return
    check(doc.text, doc.published)


@SETTINGS
@given(report_like, st.sampled_from(ENCODINGS), st.binary(max_size=40), st.sampled_from(SUFFIXES))
def test_encoded_reports_spliced_with_random_bytes(text, encoding, junk, name):
    raw = text.encode(encoding, errors="replace")
    cut = len(raw) // 2
    try:
        doc = document_from_bytes(raw[:cut] + junk + raw[cut:], name=name)
    except InputError:
        return
    check(doc.text, doc.published)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(report_like, min_size=1, max_size=8).map("\n".join), st.integers(min_value=1, max_value=200))
def test_extraction_in_parts_stays_grounded_in_the_whole_text(text, size):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImplausibleValueWarning)
        for part in extract_parts(text, published="2025-01-10", size=size):
            for r in part:
                assert text[r.start : r.end] == r.surface
                assert math.isfinite(r.value)


@pytest.mark.parametrize("name", SUFFIXES)
def test_bytes_that_are_not_text_are_an_input_error_never_another_exception(name):
    for raw in (b"\x00" * 100, bytes(range(256)) * 4, b"\xff\xfe\x00\xd8" * 50, b"{" * 5000, b"<" * 5000):
        try:
            doc = document_from_bytes(raw, name=name)
        except InputError:
            continue
        check(doc.text)
