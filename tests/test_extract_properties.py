"""Property tests: extract never raises, stays grounded and gives finite values on any text."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import extract

FRAGMENTS = [
    "刑事案件",
    "同比",
    "分别",
    "下降",
    "上升",
    "7.1%",
    "2129人",
    "、",
    ",",
    "。",
    "万",
    "亿",
    "余",
    "约",
    "以上",
    "二十",
    "两千",
    "三分之一",
    "近八成",
    "萬(wàn)",
    "１２３",
    "2,129",
    "2024年",
    "去年",
    "一季度",
    "\n",
    "0577-68881655",
    "净网2024",
    "第五个",
    "个百分点",
    "倍",
    "(",
    "“",
]

report_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=40).map("".join)


def check(text: str) -> None:
    for r in extract(text, published="2024-06-01"):
        assert text[r.start : r.end] == r.surface
        assert math.isfinite(r.value)
        assert r.start < r.end


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_unicode(text):
    check(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_like)
def test_report_fragments_spliced_with_junk(text):
    check(text)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=3000))
def test_long_digit_runs_give_finite_values_or_nothing(n):
    check("破获案件" + "9" * n + "起")
