"""Numbers: every value is a finite float whatever the digits, and a value too large to be a real
statistic is flagged, never stored silently.

The rule (metrics.extraction.numbers.MAX_VALUE, metrics.errors.ImplausibleValueWarning): a figure whose value is not
finite or is at least 1e15 (a thousand trillion: more than any count, sum or rate a police report
states) gives no row, and extraction warns with its offset and surface; the CLI prints the warning on
stderr with the file name. Values below the limit are stored as written.
"""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import run_cli
from metrics import extract
from metrics.errors import ImplausibleValueWarning
from metrics.extraction.numbers import MAX_VALUE

HUGE = {
    "400 nines": "破获案件" + "9" * 400 + "起",
    "10,000 digits": "抓获" + "1" * 10_000 + "人",
    "亿亿亿": "涉案金额" + "9" * 300 + "亿亿亿元",
    "1e308 and beyond": "损失" + "1" + "0" * 308 + "元",
    "twenty digits": "破获案件" + "9" * 20 + "起",
    "Chinese 万亿亿": "涉案九千九百万亿亿元",
    "percent": "同比上升" + "9" * 30 + "%",
    "commas": "抓获" + ",".join(["999"] * 200) + "人",
}


def values(text: str) -> list[float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImplausibleValueWarning)
        return [r.value for r in extract(text)]


@pytest.mark.parametrize("text", HUGE.values(), ids=HUGE.keys())
def test_huge_numbers_are_flagged_with_their_surface_and_not_stored(text):
    with pytest.warns(ImplausibleValueWarning, match=r"implausible value at character \d+: '\D{0,4}[\d九]"):
        rows = extract(text)
    assert all(math.isfinite(r.value) and abs(r.value) < MAX_VALUE for r in rows)


@pytest.mark.parametrize(
    "text, value",
    [
        ("涉案金额9999亿元", 9.999e11),
        ("涉案金额99999999999999元", 99999999999999.0),
        ("破获案件0起", 0.0),
        ("上升0.000001%", 1e-6),
    ],
)
def test_large_but_plausible_values_are_stored_as_written(text, value):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ImplausibleValueWarning)
        assert [r.value for r in extract(text)] == [value]


digits = st.text(alphabet="0123456789", min_size=1, max_size=400)
numbers = st.one_of(
    digits,
    st.builds(lambda a, b: f"{a}.{b}", digits, digits),
    st.lists(st.text(alphabet="0123456789", min_size=3, max_size=3), min_size=1, max_size=60).map(
        lambda parts: "1," + ",".join(parts)
    ),
    st.text(alphabet="零一二三四五六七八九十百千万亿两", min_size=1, max_size=30),
)
figures = st.tuples(
    st.sampled_from(["破获案件", "同比上升", "涉案", "约", "", "超"]),
    numbers,
    st.sampled_from(["", "万", "亿", "万亿", "亿亿", "千万"]),
    st.sampled_from(["", "余"]),
    st.sampled_from(["起", "人", "元", "%", "个百分点", "倍", "成", "", "吨"]),
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(figures, min_size=1, max_size=5).map("、".join))
def test_values_are_always_finite_and_below_the_limit(text):
    for value in values(text):
        assert math.isfinite(value) and abs(value) < MAX_VALUE


def test_the_cli_names_an_implausible_value_on_stderr(tmp_path):
    report = tmp_path / "spam.txt"
    report.write_text("全年破获刑事案件2129起,涉赌资金" + "8" * 40 + "元。", encoding="utf-8")
    run = run_cli("extract", str(report), timeout=60, max_mb=800)
    assert run.returncode == 0
    assert f"{report}: warning: implausible value at character" in run.stderr
    assert "8888" in run.stderr and "2129" in run.stdout.decode("utf-8-sig")


NEW_DIGIT = "\U00011bf0"  # a decimal digit the regex package knows and Python 3.11's tables do not


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"破获案件{NEW_DIGIT}起", []),
        (f"20{NEW_DIGIT}{NEW_DIGIT}年破获案件5起", [5.0]),
        (f"20{NEW_DIGIT}{NEW_DIGIT}年至2024年上升5%", [5.0]),
        ("破获案件٣起,抓获१२人", [3.0, 12.0]),  # Arabic-Indic and Devanagari digits read as digits
    ],
    ids=["unknown digit", "unknown digits in a year", "unknown digits in a range", "other scripts' digits"],
)
def test_digits_of_any_script_never_crash_the_number_reader(text, expected):
    assert values(text) == expected
