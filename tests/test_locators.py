"""context.branches: the outermost alternation of a pattern, read by hand (the span and time scans use it)."""

from __future__ import annotations

import pytest
import regex
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from metrics.extraction.context import branches


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("A|B", ["A", "B"]),
        ("(?P<k>A|(?:B|C))", ["A", "B", "C"]),  # a named group around the whole opens, and inner groups too
        ("(A|B)", ["A", "B"]),
        ("(?:A|B)?", ["(?:A|B)?"]),  # a quantified group is not the whole pattern
        ("(?=A|B)", ["(?=A|B)"]),  # nor is a lookaround
        ("(?<!x)A|B", ["(?<!x)A", "B"]),
        ("[|(]|x", ["[|(]", "x"]),  # a set's | and ( are members
        ("[]|]|x", ["[]|]", "x"]),  # a ] right after [ is a member
        (r"a\|b|c", [r"a\|b", "c"]),  # an escaped |
        ("(A)(B)", ["(A)(B)"]),  # two groups side by side hold no single alternation
        ("(A|B)C|D", ["(A|B)C", "D"]),
    ],
)
def test_branches(pattern, expected):
    assert branches(pattern) == expected


TEXT_CHARS = "年月至今以来近1二三"
PIECES = ["年", "月", "至", "今年", "以来", "近", "1", "12", "三", "|", "(?:", ")", "[0-9]", "(?<!近)", "?"]


def balanced(pattern: str) -> bool:
    try:
        regex.compile(pattern)
    except regex.error:
        return False
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join), st.text(TEXT_CHARS, max_size=20))
def test_the_branches_match_where_the_pattern_does(pattern, text):
    """Wherever the pattern matches (each start, overlapped), one of its branches matches, and nowhere else."""
    assume(balanced(pattern) and all(balanced(b) for b in branches(pattern)))
    whole = {m.start() for m in regex.finditer(pattern, text, overlapped=True)}
    parts = {m.start() for b in branches(pattern) for m in regex.finditer(b, text, overlapped=True)}
    assert parts == whole


def test_a_verbose_alternative_with_a_comment_stays_whole():
    """A comment may hold a | that is no branch: such an alternative is searched whole."""
    from metrics.extraction.context import locators

    found = locators(["(?P<a>x # a comment | not a branch\n|z)"], "test", regex.VERBOSE)
    assert [p.pattern for p in found] == ["(?P<a>x # a comment | not a branch\n|z)"]
    assert [p.pattern for p in locators(["(?P<a>x|z)"], "test", regex.VERBOSE)] == ["x", "z"]


def test_the_kinds_of_span_matches_are_cached_for_one_document_only():
    from metrics import extract
    from metrics.extraction.normalize import normalize
    from metrics.extraction.period_span import span_index, span_kind

    many = "".join(f"{y}年1至6月,全市破获刑事案件{y}起。" for y in range(2001, 2021))
    extract(many, published="2021-01-10")
    assert span_kind.cache_info().currsize >= 20  # the first document's matches were asked for
    last = "2023年上半年,全市破获刑事案件120起。"
    extract(last, published="2023-08-01")
    assert 0 < span_kind.cache_info().currsize <= len(span_index(normalize(last)).matches)
