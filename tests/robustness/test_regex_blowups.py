"""Regex blow-ups: every pattern of the extractor runs in time linear in its input.

Three tables:
  PATHOLOGICAL  the inputs of issue 6, each extracted in a child process under a time and memory bound,
                with a pattern time-out turned into an error (so a silent loss of text fails too);
  SHAPES        catastrophic-backtracking shapes (long runs of what a pattern's repeats accept, followed by
                what makes it fail) run against every compiled pattern under the regex package's timeout;
  the time-out itself: when a pattern does hit MATCH_TIMEOUT, extraction warns and names the stretch.
"""

from __future__ import annotations

import random
import re
import warnings
from pathlib import Path

import pytest
import regex

from harness import run_python
from metrics import extract
from metrics.errors import ImplausibleValueWarning, PatternTimeoutWarning
from metrics.extraction import (
    change_and_veto,
    classify,
    context,
    figure,
    measure,
    normalize,
    period_span,
    report_span,
    scope,
    spans,
)
from metrics.extraction.figure_record import CLAUSE_REST, TRAILING_NOUN
from metrics.extraction.lists import LIST_GAP, _basis_list, _list_separator

# name → Python expression building the text in the child process
PATHOLOGICAL = {
    "5 MB line without punctuation": "'刑事案件下降同比上升抓获嫌疑人' * 350_000",
    "a million 、": "'、' * 1_000_000",
    "1、 x 200,000": "'1、' * 200_000",
    "10,000-digit number": "'破获案件' + '1' * 10_000 + '起'",
    "分别 and 5,000 values": "'刑事案件、治安案件分别下降' + '、'.join(['5%'] * 5000)",
    "同比 x 100,000": "'同比' * 100_000",
    "上升 before every number (one list)": "'上升1' * 100_000",
    "digits with commas": "'1,' * 200_000 + '人'",
}

CHILD = """
import math, warnings
from metrics import extract
from metrics.errors import PatternTimeoutWarning
warnings.simplefilter("error", PatternTimeoutWarning)
text = {expr}
rows = extract(text, published="2024-06-01")
assert all(text[r.start:r.end] == r.surface and math.isfinite(r.value) for r in rows)
print(len(rows))
"""


@pytest.mark.timeout(300)
@pytest.mark.parametrize("expr", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_is_extracted_in_bounded_time_and_memory(expr):
    run = run_python(CHILD.format(expr=expr), timeout=150, max_mb=1500)
    rows = int(run.stdout)
    if "5000" in expr:
        assert rows == 5000  # every value of the 分别 list kept


def _patterns() -> dict[str, regex.Pattern]:
    """Every compiled pattern the extractor matches with, by name."""
    adjacent, nearby = change_and_veto.direction_patterns()
    before, after, around = change_and_veto.veto_patterns()
    explicit, full_date, comparison = context._year_patterns()
    sentence, paragraph, clause = context._boundary_patterns()
    found = {
        "figure": figure.figure_pattern(),
        "fraction": figure.fraction_pattern(),
        "percent_words": figure.percent_words_pattern(),
        "direction adjacent": adjacent,
        "direction nearby": nearby,
        "veto before": before,
        "veto after": after,
        "veto around": around,
        "time": context._time_pattern(),
        "period spans": period_span._span_pattern(),
        "explicit year": explicit,
        "full date": full_date,
        "year comparison": comparison,
        "sentence ends": sentence,
        "paragraph ends": paragraph,
        "clause breaks": clause,
        "baseline": context.BASELINE,
        "since year": context.SINCE_YEAR,
        "campaign year": context.CAMPAIGN_YEAR,
        "keyword index": classify._keyword_index()[0],
        "list separator": _list_separator(),
        "basis list": _basis_list(),
        "trailing noun": TRAILING_NOUN,
        "clause rest": CLAUSE_REST,
        "list gap": LIST_GAP,
    }
    found.update({f"published {i}": p for i, p in enumerate(context._published_patterns())})
    found.update(
        {
            "events": period_span._event_patterns()[0],
            "recent": period_span._event_patterns()[1],
            "lead date": report_span.LEAD_DATE,
        }
    )
    for name, words in (("scope case", scope._patterns()[0]), ("scope context", scope._patterns()[1])):
        found.update({f"{name} {i}": p for i, (_, p) in enumerate(words.others)})  # plain words: an automaton
    found.update({f"measure rule {i}": r.pattern for i, r in enumerate(measure._rules())})
    # searched alone too (finditer_by_alternatives), each from its own literal prefix
    found.update({f"time alternative {i}": p for i, p in enumerate(context._time_alternative_patterns())})
    found.update({f"span alternative {i}": p for i, p in enumerate(period_span._span_alternative_patterns())})
    found.update({f"junk {i}": p for i, p in enumerate(normalize.junk_patterns())})
    override = classify._override_pattern()[0]
    if override is not None:
        found["category overrides"] = override
    return found


def _alphabet() -> str:
    """Every character the pattern data speaks of, plus digits, separators and the filler."""
    from metrics.rules import PATTERN_DIR

    chars = set("0123456789,.%-~:/ \n\x1f年月日()、")
    for path in PATTERN_DIR.glob("*.yaml"):
        chars.update(ch for ch in path.read_text(encoding="utf-8") if ord(ch) > 0x2E7F)
    return "".join(sorted(chars))


N = 100_000  # characters per shape: a linear pattern needs milliseconds, a quadratic one ~5e9 steps
UNITS = [
    "1",
    "1,",
    "1.",
    "1,1",
    "一",
    "二十",
    "万",
    "亿",
    "一万",
    "余",
    "多",
    "约",
    "以上",
    "\x1f",
    "1\x1f",
    "同比",
    "上升",
    "下降了",
    "同比上升",
    "2024年",
    "2024年至",
    "2024-",
    "年 ",
    " ",
    "19",
    "20",
    "百分之",
    "百分之十",
    "三分之",
    "、",
    "1、",
    "同比、环比、",
    "2025年01月",
    "发布时间:",
    "刑事",
    "案件",
    "第",
    "1-",
    "1年1月",
    "上半年",
    "1至",
    "(",
    "“",
    "一季度",
    "前三",
    "同期",
    "较去年",
]


def _shapes() -> dict[str, str]:
    shapes = {f"{u!r} x{N // len(u)} + !": u * (N // len(u)) + "!" for u in UNITS}
    alphabet = _alphabet()
    for seed in range(3):
        rng = random.Random(seed)
        shapes[f"random alphabet soup {seed}"] = "".join(rng.choice(alphabet) for _ in range(N))
    return shapes


SHAPES = _shapes()
TIMEOUT = 5.0  # seconds per pattern and shape: hundreds of times what a linear pattern needs
# Patterns the extractor only ever applies with .match (anchored at one place), never scanning a text.
MATCH_ONLY = {"list gap"}


STDLIB_CHILD = """
import sys, time
sys.path.insert(0, {here!r})
from test_regex_blowups import SHAPES, _patterns
pattern = _patterns()[{name!r}]
for shape, text in SHAPES.items():
    began = time.perf_counter()
    for _ in pattern.finditer(text):
        pass
    if time.perf_counter() - began > {limit}:
        print(shape)
"""


@pytest.mark.timeout(400)
@pytest.mark.parametrize("name", sorted(_patterns()))
def test_every_pattern_is_linear_on_backtracking_shapes(name):
    pattern = _patterns()[name]
    if isinstance(pattern, re.Pattern):  # the standard engine has no timeout: run it in a child instead
        run = run_python(
            STDLIB_CHILD.format(here=str(Path(__file__).parent), name=name, limit=TIMEOUT),
            timeout=len(SHAPES) * TIMEOUT,
            max_mb=1500,
        )
        assert run.stdout.decode().strip() == "", f"pattern {name!r} too slow on: {run.stdout.decode()}"
        return
    for shape, text in SHAPES.items():
        try:
            if name in MATCH_ONLY:
                pattern.match(text, timeout=TIMEOUT)
                continue
            for _ in pattern.finditer(text, timeout=TIMEOUT):
                pass
        except TimeoutError:
            pytest.fail(f"pattern {name!r} timed out on {shape}: catastrophic backtracking")


def test_a_pattern_timeout_warns_and_names_the_stretch(monkeypatch):
    monkeypatch.setattr(spans, "MATCH_TIMEOUT", 1e-9)
    text = "全年破获刑事案件2129起。" * 20_000
    with pytest.warns(PatternTimeoutWarning, match=r"characters \d+\.\.\d+") as caught:
        extract(text)
    said = {str(w.message).split("; ")[-1] for w in caught}
    assert {"figures there are skipped", "numbers there are not checked for dates"} <= said  # what each loses


def test_a_pattern_timeout_is_named_on_stderr_by_the_cli(report):
    code = f"""
import sys
from metrics.cli import main
from metrics.extraction import spans
spans.MATCH_TIMEOUT = 1e-9
open({str(report)!r}, "w", encoding="utf-8").write("全年破获刑事案件2129起。" * 20_000)
sys.exit(main(["extract", {str(report)!r}, "-o", {str(report.with_suffix(".csv"))!r}]))
"""
    run = run_python(code, timeout=120, max_mb=1500)
    assert f"{report}: warning: pattern timed out" in run.stderr


def test_no_timeout_warning_on_the_pathological_shapes_at_the_real_limit():
    """The chunked matching keeps each chunk far under MATCH_TIMEOUT on the worst shapes we know."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImplausibleValueWarning)  # the 300,000-digit number
        warnings.simplefilter("error", PatternTimeoutWarning)
        for text in ("1" * 300_000, "一" * 300_000, "、" * 300_000, "上升1" * 100_000):
            extract(text)
