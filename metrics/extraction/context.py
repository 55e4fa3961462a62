"""Where a figure stands: its sentence, clause and paragraph, and the year it describes.

Periods are resolved against a reference date passed in (or read from the text): no stage calls
``date.today()``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from functools import cache

import regex

from metrics.rules import alternation, compile_checked, load

SENTENCE_ENDS = "。！？!?\n"
# How far a look-up reaches from a figure, so that a 5 MB line without punctuation stays linear.
SENTENCE_BACK, SENTENCE_AHEAD, PARAGRAPH_BACK, CLAUSE_BACK = 300, 200, 1500, 120


@dataclass(frozen=True)
class Layout:
    """Boundary offsets of the normalized text, for quick look-ups by position."""

    norm: str
    sentence_starts: list[int]
    paragraph_starts: list[int]
    clause_starts: list[int]

    def sentence(self, pos: int) -> tuple[int, int]:
        start, end = _span(self.sentence_starts, pos, len(self.norm))
        return max(start, pos - SENTENCE_BACK), min(end, pos + SENTENCE_AHEAD)

    def sentence_of(self, pos: int) -> int:
        """Which sentence ``pos`` stands in (its start), the same for every position of a long sentence,
        whose sentence() window moves with the position."""
        return self.sentence_starts[bisect.bisect_right(self.sentence_starts, pos) - 1]

    def paragraph(self, pos: int) -> tuple[int, int]:
        start, end = _span(self.paragraph_starts, pos, len(self.norm))
        return max(start, pos - PARAGRAPH_BACK), end

    def clause_start(self, pos: int) -> int:
        return max(self.clause_starts[bisect.bisect_right(self.clause_starts, pos) - 1], pos - CLAUSE_BACK)


def _span(starts: list[int], pos: int, length: int) -> tuple[int, int]:
    i = bisect.bisect_right(starts, pos) - 1
    end = starts[i + 1] if i + 1 < len(starts) else length
    return starts[i], end


@cache
def _boundary_patterns() -> tuple[regex.Pattern, regex.Pattern, regex.Pattern]:
    clause = load("metric")["clause_breaks"]
    return (
        compile_checked(f"[{regex.escape(SENTENCE_ENDS)}]", "sentence ends"),
        compile_checked(r"\n", "paragraph ends"),
        compile_checked(f"[{regex.escape(clause + SENTENCE_ENDS)}]", "clause breaks"),
    )


def layout_of(norm: str) -> Layout:
    sentence, paragraph, clause = _boundary_patterns()
    return Layout(
        norm,
        [0] + [m.end() for m in sentence.finditer(norm)],
        [0] + [m.end() for m in paragraph.finditer(norm)],
        [0] + [m.end() for m in clause.finditer(norm)],
    )


# ---------------------------------------------------------------- reference date and subject year


@cache
def _published_patterns() -> list[regex.Pattern]:
    return [compile_checked(p, "periods.yaml published") for p in load("periods")["published"]]


def detect_published(norm: str) -> dt.date | None:
    """The publication date a saved page states (发布时间:2025年01月10日, 2025-01-10 13:48), if any."""
    for pattern in _published_patterns():
        for m in pattern.finditer(norm):
            try:
                return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                continue
    return None


def parse_published(published: str | dt.date | None) -> dt.date | None:
    if published is None or isinstance(published, dt.date):
        return published
    try:
        return dt.date.fromisoformat(str(published)[:10])
    except ValueError:
        return None


@cache
def _year_patterns() -> tuple[regex.Pattern, regex.Pattern, regex.Pattern]:
    periods = load("periods")
    full_date = r"(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    return (
        compile_checked(periods["explicit_year"], "periods.yaml explicit_year"),
        compile_checked(full_date, "full date"),
        compile_checked(load("changes")["year_comparison"], "changes.yaml year_comparison"),
    )


BASELINE = regex.compile(r"(?:同比|较|比|与|相比|由|从|是|自|疫情前|恢复至|恢复到|相当于)\s?(?=(?:19|20)\d\d\s?年)")
# 由2018年的, 较2018年, 达到疫情前2019年的91%: a year named only as a comparison


def year_mentions(norm: str, head: int = 120) -> dict[int, float]:
    """How often each year is named as a period: not inside a full date, not as a comparison, not as
    the start of a span (2018年以来). A mention in the first ``head`` characters (the title) counts twice."""
    explicit, full_date, comparison = _year_patterns()
    skip = {m.start() for m in full_date.finditer(norm)}
    skip |= {m.end() for m in BASELINE.finditer(norm)}
    counts: dict[int, float] = {}
    for m in explicit.finditer(norm):
        if m.start() in skip:
            continue
        year = int(m["year"])
        counts[year] = counts.get(year, 0) + (2 if m.start() < head else 1)
    return counts


# a span's start, not the year a report is about: 2018年以来, 2021年4月至今 (but 2025年至今 is this year)
SINCE_YEAR = regex.compile(r"((?:19|20)\d\d)\s?年(?:以来|\s?\d{1,2}\s?月份?\s?(?:以来|至今))")
CAMPAIGN_YEAR = regex.compile(r"(?<=[\p{Han}”\-])((?:19|20)\d\d)(?=[”\s、,]|$)")  # “昆仑2021”, 云剑-2020


SENTENCE = regex.compile(r"[^。!?！？\n]+")


def past_years(norm: str) -> set[int]:
    """Years a sentence names beside 今年 (至今年6月底,2019年立案侦办的案件…): not this year, for a text
    that carries no date; comparisons (同比2019年) are no mention at all."""
    explicit, _, _ = _year_patterns()
    found = set()
    for sentence in SENTENCE.finditer(norm):
        text = sentence[0]
        if "今年" not in text:
            continue
        baselines = {m.end() for m in BASELINE.finditer(text)}
        found |= {int(m["year"]) for m in explicit.finditer(text) if m.start() not in baselines}
    return found


def year_after_past(norm: str) -> int | None:
    """For a text with no date and no year of its own: the year after the last one it names beside 今年."""
    past = past_years(norm)
    return max(past) + 1 if past else None


COMPARED = regex.compile(r"(?:较|比|与|同比|相比)\s?$")


def mentions_any(norm: str, words: list[str]) -> bool:
    """Does the text use one of ``words`` as a time of its own, not as a comparison (较去年, 去年同期)?"""
    for word in words:
        at = norm.find(word)
        while at >= 0 and word:
            if not COMPARED.search(norm, max(0, at - 3), at) and not norm.startswith("同期", at + len(word)):
                return True
            at = norm.find(word, at + len(word))
    return False


def subject_year(norm: str, reference: dt.date | None) -> int | None:
    """The year the report is about: the year it names most often (not after its publication), counting
    今年 / 去年 as a mention of the year they mean; else the publication year; else a campaign's year
    (“雷霆2020”). Early in a year (January, February) a report mostly reviews the year before: there
    今年 is no evidence and a tie goes to the earlier year."""
    counts = year_mentions(norm)
    spans_from = {int(m[1]) for m in SINCE_YEAR.finditer(norm)}
    periods = load("periods")
    if reference is None:
        past = past_years(norm)
        counts = {y: n for y, n in counts.items() if y not in spans_from and y not in past}
    else:
        early = reference.month <= 2
        if not early and mentions_any(norm, periods["this_year_hints"]):
            counts[reference.year] = counts.get(reference.year, 0) + 1
        hints = periods["previous_year_hints"] + (periods["early_review_hints"] if early else [])
        if mentions_any(norm, hints):
            counts[reference.year - 1] = counts.get(reference.year - 1, 0) + 1
        counts = {y: n for y, n in counts.items() if y <= reference.year}
        counts = {y: n for y, n in counts.items() if y >= reference.year - 1 or y not in spans_from}
        if not counts:
            return reference.year
        return max(counts, key=lambda y: (counts[y], -y if early else y))
    if not counts:
        for m in CAMPAIGN_YEAR.finditer(norm):
            counts[int(m[1])] = counts.get(int(m[1]), 0) + 1
    return max(counts, key=lambda y: (counts[y], y)) if counts else None


def source_year(source: str | None) -> int | None:
    """The year a document's address names in its path (…/2003/tables/…): the last such year, for an
    address whose text and publication date give none."""
    if not source:
        return None
    path = regex.sub(r"^[a-z]+://[^/]*", "", source)  # not the host name
    years = [
        int(m[1]) for m in compile_checked(load("periods")["source_year"], "periods.yaml: source_year").finditer(path)
    ]
    return years[-1] if years else None


# ---------------------------------------------------------------- the period of one figure


@cache
def _time_alternatives() -> list[str]:
    """The alternatives of the time pattern, in its order (each a VERBOSE regex)."""
    periods = load("periods")
    multi = "|".join(f"(?:{p})" for p in periods["multi_year"])
    relative = alternation(list(periods["relative_years"]))
    earlier = alternation(periods["comparison_years"])
    return [
        r"(?P<range>(?P<y1>(?:19|20)\d\d)\s?年?\s?(?:至|到|-|~)\s?(?P<y2>(?:19|20)\d\d)\s?年)",
        rf"(?P<multi>{multi})",
        rf"(?P<cmp>(?:{alternation(periods['comparison_words'])})\s?(?:(?:19|20)\d\d\s?年|{earlier}))",
        str(periods["explicit_year"]),
        rf"(?P<rel>{relative})",
    ]


@cache
def _time_pattern() -> regex.Pattern:
    return compile_checked("\n|".join(_time_alternatives()), "periods.yaml", regex.VERBOSE)


@cache
def _time_alternative_patterns() -> list[regex.Pattern]:
    """Where the time pattern can match, found by finditer_by_alternatives (locators)."""
    return locators(_time_alternatives(), "periods.yaml", regex.VERBOSE)


def locators(alternatives: tuple[str, ...] | list[str], where: str, flags: int = 0) -> list[regex.Pattern]:
    """Patterns that together match exactly where one of ``alternatives`` can: each alternative split into
    the branches of its outermost alternation (multi-year words, months), compiled alone. As one alternation
    a list of branches is tried branch by branch at every character; alone, a branch with a literal start
    skips ahead to it (the multi-year words: 60 µs a report as one alternation, searched twice a report).
    An alternative whose branches do not compile alone (a back-reference) stays whole, and so does a verbose
    one with a comment. A spurious place costs only time (the whole pattern is matched there and fails); a
    missed one would lose a match, which the property tests of both scans guard against."""
    found = []
    for alternative in alternatives:
        if flags & regex.VERBOSE and "#" in alternative:  # a comment may hide a | or a bracket: kept whole
            found.append(compile_checked(alternative, where, flags))
            continue
        try:
            found += [regex.compile(branch, flags) for branch in branches(alternative)]
        except regex.error:
            found.append(compile_checked(alternative, where, flags))
    return found


def branches(pattern: str) -> list[str]:
    """The branches of a pattern's outermost alternation, with a group that holds the whole pattern opened
    (its name does not change where it matches) and each branch split again: '(?P<k>A|(?:B|C))' → A, B, C.
    Lookarounds are no groups to open. Written by hand: the regex package has no public parser."""
    bars, closes = _outermost(pattern)
    if bars:
        cuts = [-1, *bars, len(pattern)]
        return [leaf for a, b in zip(cuts, cuts[1:]) for leaf in branches(pattern[a + 1 : b])]
    opening = GROUP_OPENINGS.match(pattern)
    if opening is not None and closes == [len(pattern) - 1]:  # one group holds the whole pattern
        return branches(pattern[opening.end() : -1])
    return [pattern]


GROUP_OPENINGS = regex.compile(r"\((?:\?:|\?P<\w+>|(?!\?))")  # (?:  (?P<name>  (  — not (?= (?! (?<= (?<!


def _outermost(pattern: str) -> tuple[list[int], list[int]]:
    """Where the pattern has a | outside every group, and where its outermost groups close."""
    bars, closes, depth, i = [], [], 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1  # an escaped character
        elif char == "[":  # a set, to its end (a ] right after [ or [^ is a member)
            i += 2 if pattern.startswith("[^", i) else 1
            i += 1 if i < len(pattern) and pattern[i] == "]" else 0
            while i < len(pattern) and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                closes.append(i)
        elif char == "|" and depth == 0:
            bars.append(i)
        i += 1
    return bars, closes


def finditer_by_alternatives(whole: regex.Pattern, alternatives: list[regex.Pattern], text: str):
    """The matches of ``whole.finditer(text)``, where ``whole`` is an alternation and ``alternatives``
    match, together, exactly where one of its branches can (its alternatives, or their fragments, in any
    order), found faster: each alone scans ahead with its own literal prefix (the engine cannot use one for
    a long alternation, which it tries at every character), and ``whole`` is matched only at the leftmost
    place one of them starts, where the first alternative that fits wins, as in ``whole``."""
    ahead = [a.search(text) for a in alternatives]
    while True:
        starts = [m.start() for m in ahead if m is not None]
        if not starts:
            return
        at = min(starts)
        m = whole.match(text, at)
        if m is not None and m.end() > at:
            yield m
            pos = m.end()
        else:  # an alternative matched alone but not inside the whole (cannot happen without back-references)
            pos = at + 1
        ahead = [n if n is None or n.start() >= pos else a.search(text, pos) for n, a in zip(ahead, alternatives)]


class MatchIndex:
    """The matches of one pattern over a whole document, found once, looked up by range; with the
    pattern's ``alternatives``, found alternative by alternative (finditer_by_alternatives)."""

    def __init__(self, pattern: regex.Pattern, norm: str, keep=lambda m: True, alternatives=None) -> None:
        found = finditer_by_alternatives(pattern, alternatives, norm) if alternatives else pattern.finditer(norm)
        self.matches = [m for m in found if keep(m)]
        self.starts = [m.start() for m in self.matches]
        self.ends = [m.end() for m in self.matches]

    def between(self, start: int, end: int) -> list[regex.Match]:
        return self.matches[bisect.bisect_left(self.starts, start) : bisect.bisect_right(self.ends, end)]

    def last_between(self, start: int, end: int) -> regex.Match | None:
        i = bisect.bisect_right(self.ends, end) - 1
        return self.matches[i] if i >= 0 and self.starts[i] >= start else None


def time_index(norm: str) -> MatchIndex:
    """Every time expression of the document that can name a figure's period (not comparisons)."""
    return MatchIndex(_time_pattern(), norm, keep=lambda m: not m["cmp"], alternatives=_time_alternative_patterns())


@cache
def _changed_to() -> regex.Pattern:
    return compile_checked(load("periods")["changed_to"], "periods.yaml changed_to")


def _period_from(m: regex.Match, tail: str, reference: dt.date | None, subject: int | None) -> tuple[bool, int | None]:
    """(decided, period) from one time expression; ``tail`` is the text between it and the figure."""
    if m["range"]:
        # 2017年至2021年,…从24.1万起下降至15.8万起;破案率从41%…: a figure right after 从/由 is the start
        opened = max(tail.rfind("从"), tail.rfind("由")) > max(tail.rfind("至"), tail.rfind("到"))
        return True, int(m["y1"] if opened else m["y2"])
    if _changed_to().search(tail):  # 由前年的1019宗增至1077宗: the time word dates 1019, not the figure
        return True, subject
    if m["multi"]:
        year = m.captures("year")
        if year and subject is not None and int(year[-1]) >= subject:
            return True, int(year[-1])
        return True, None
    if m["year"]:
        return True, int(m["year"])
    offset = load("periods")["relative_years"][m["rel"]]
    if offset == 0 and m["rel"] not in ("今年", "本年", "本年度", "今年以来"):
        return True, subject
    base = reference.year if reference else subject
    return True, (base + offset) if base is not None else None


def figure_period(
    layout: Layout, pos: int, reference: dt.date | None, subject: int | None, times: MatchIndex
) -> int | None:
    """The year the figure at ``pos`` describes: the nearest time word before it in its sentence, else
    the report's subject year."""
    s_start, _ = layout.sentence(pos)
    m = times.last_between(s_start, pos)
    if m:
        return _period_from(m, layout.norm[m.end() : pos], reference, subject)[1]
    return subject
