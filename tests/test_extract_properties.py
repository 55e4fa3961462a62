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


SPAN_FRAGMENTS = [
    "2024年",
    "1至9月",
    "4月29日至5月3日",
    "前三季度",
    "上半年",
    "今年以来",
    "截至10月底",
    "自6月25日",
    "行动开展以来",
    "去年同期",
    "同比",
    "较2023年",
    "“五一”",
    "国庆期间",
    "一年来",
    "至今",
    "10月份",
    "二〇二四年",
    "夏季行动",
    # the multi-year words, searched fragment by fragment (multi_year_locators)
    "2019年以来",
    "自2018年后",
    "近三年来",
    "5年间",
    "近10年",
    "专项斗争开展以来",
    "多年来",
    "历年",
    "首",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SPAN_FRAGMENTS), st.text(max_size=4)), max_size=30).map("".join))
def test_scanning_by_alternatives_finds_what_the_whole_pattern_finds(text):
    """finditer_by_alternatives (the span index's fast scan) gives exactly the matches of the pattern
    itself: same spans, same alternative, same groups."""
    from metrics.extraction.context import finditer_by_alternatives
    from metrics.extraction.period_span import _span_alternative_patterns, _span_pattern

    def seen(matches):
        return [(m.span(), m.regs, m.group()) for m in matches]

    whole = _span_pattern()
    assert seen(finditer_by_alternatives(whole, _span_alternative_patterns(), text)) == seen(whole.finditer(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SPAN_FRAGMENTS), st.text(max_size=4)), max_size=30).map("".join))
def test_scanning_time_words_by_alternatives_finds_what_the_whole_pattern_finds(text):
    """The same for the time words of a figure's period (context.time_index)."""
    from metrics.extraction.context import _time_alternative_patterns, _time_pattern, finditer_by_alternatives

    def seen(matches):
        return [(m.span(), m.regs, m.group()) for m in matches]

    whole = _time_pattern()
    assert seen(finditer_by_alternatives(whole, _time_alternative_patterns(), text)) == seen(whole.finditer(text))
