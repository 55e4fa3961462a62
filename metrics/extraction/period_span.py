"""The span of time a figure covers (SCHEMA v2 `period_label`): 2024, 2024-H1, 2024-Q3, 2024-08,
2024-01/2024-10, 2024-02-09/2024-02-17, or None.

The nearest span expression before the figure in its sentence decides, else in its paragraph, else the
one the report's head names (a bulletin's title: 厦门市社会治安警情通报(2021年10月); read once per
document by report_span.py, with the lead date and the days a holiday runs), else the figure's year.
Patterns live in metrics/patterns/periods.yaml (spans, to_date) and campaigns.yaml; no stage reads
the clock: 今年以来 runs to the month of the release date passed in.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache

import regex

from metrics.extraction.context import Layout, MatchIndex, locators
from metrics.rules import alternation, compile_checked, load

YEAR = r"(?:19|20)\d\d"
NUMBER = r"\d{1,2}|[一二三四五六七八九十廿]{1,3}"
UNTOLD = "?"  # the head names a holiday whose days the text does not give: its figures have no label
SPAN_KINDS = ("days", "months", "quarter", "half", "nine", "month")


def _fill(pattern: str) -> str:
    return pattern.replace("{Y}", YEAR).replace("{M}", f"(?:{NUMBER})")


@cache
def _span_alternatives() -> tuple[str, ...]:
    """The alternatives of the span pattern, each a named group k_<kind>, in the order they are tried."""
    periods, campaigns = load("periods"), load("campaigns")
    parts = [f"(?P<k_cmpmonth>{_fill(periods['compared_month'])})"]  # before month: 环比今年2月份 is no span
    parts += [f"(?P<k_{kind}>{_fill(periods['spans'][kind])})" for kind in SPAN_KINDS]
    parts.append(f"(?P<k_baremonth>{_fill(periods['bare_month'])})")
    parts.append(f"(?P<k_sinceyear>{_fill(periods['to_date']['since_year'])})")
    parts.append(f"(?P<k_sinceday>{_fill(periods['to_date']['since_day'])})")
    parts.append(f"(?P<k_yearcampaign>{_fill(periods['to_date']['year_campaign'])})")
    parts.append(f"(?P<k_since>{_fill(periods['to_date']['since'])})")
    parts.append(f"(?P<k_until>{_fill(periods['to_date']['until'])})")
    parts.append(f"(?P<k_oneday>{_fill(periods['to_date']['one_day'])})")
    parts.append("(?P<k_campaign>" + "|".join(f"(?:{c['name']})" for c in campaigns["campaigns"]) + ")")
    parts.append(f"(?P<k_holiday>{alternation(campaigns['holidays'])})")
    parts.append("(?P<k_multi>" + "|".join(f"(?:{p})" for p in periods["multi_year"]) + ")")
    compared = alternation(periods["comparison_words"])
    earlier = alternation(periods["comparison_years"])
    parts.append(rf"(?P<k_cmp>(?:{compared})\s?(?:{YEAR}\s?年|{earlier})(?:同期)?)")
    parts.append(f"(?P<k_casedate>{alternation(periods['to_date']['case_to_date'])})")
    parts.append(f"(?P<k_levelnow>{periods['to_date']['level_now']})")
    parts.append(f"(?P<k_pastyear>{alternation(periods['to_date']['past_year'])})")
    parts.append(f"(?P<k_todate>{alternation(periods['to_date']['words'])})")
    parts.append(r"(?P<k_rel>去年|上年|上一年|前年)")
    parts.append(rf"(?P<k_year>{YEAR})\s?年(?!代)")
    return tuple(parts)


@cache
def _span_pattern() -> regex.Pattern:
    return compile_checked("|".join(_span_alternatives()), "periods.yaml spans / campaigns.yaml")


@cache
def _span_alternative_patterns() -> list[regex.Pattern]:
    """Where the span pattern can match, found by finditer_by_alternatives (locators)."""
    return locators(_span_alternatives(), "periods.yaml spans / campaigns.yaml")


@cache
def _event_patterns() -> tuple[regex.Pattern, regex.Pattern]:
    data = load("campaigns")
    return (
        compile_checked(alternation(data["events"]), "campaigns.yaml events"),
        compile_checked(alternation(data["recent"]), "campaigns.yaml recent"),
    )


@cache
def _told_pattern() -> regex.Pattern:
    return compile_checked(load("campaigns")["told"], "campaigns.yaml told")


def event_label(sentence_before: str, event_day: dt.date | None, reference: dt.date | None, year: int) -> str | None:
    """The span of one event the sentence tells of: the lead date's day for a ceremony or conference,
    the release month for 日前/近日; None when it tells of none."""
    events, recent = _event_patterns()
    if event_day is not None and event_day.year == year and events.search(sentence_before):
        return f"{event_day.isoformat()}/{event_day.isoformat()}"
    if reference is not None and reference.year == year and recent.search(sentence_before):
        return f"{year}-{reference.month:02d}"
    return None


@lru_cache(maxsize=1)
def span_index(norm: str) -> MatchIndex:
    """Every span expression of a document (comparisons left out), found once (the document's year and
    its context both read it: the last document's index is kept). The kinds cached for the matches of the
    document before are dropped: the cache holds one document's matches, never the texts of many."""
    span_kind.cache_clear()
    return MatchIndex(_span_pattern(), norm, keep=lambda m: not m["k_cmp"], alternatives=_span_alternative_patterns())


def span_number(text: str | None) -> int | None:
    """A month's or day's number as written (8, 十二, 廿五), or None."""
    if not text:
        return None
    from metrics.extraction.numbers import figure_value

    try:
        return int(figure_value(text.replace("廿", "二十")))
    except (ValueError, TypeError, OverflowError):
        return None


@cache
def _kind_groups() -> tuple[tuple[int, str], ...]:
    """(group number, kind) of every alternative of the span pattern, in its order."""
    names = _span_pattern().groupindex
    return tuple(sorted((number, name[2:]) for name, number in names.items() if name.startswith("k_")))


@cache
def span_kind(m: regex.Match) -> str:
    """Which alternative of the span pattern matched: days, months, quarter, campaign, todate, year …
    (read from all group spans at once, ``m.regs``: ten times faster than asking group by group; the
    matches of a document's span index are asked again for every figure: cached by match, for the
    document whose index span_index built last)."""
    regs = m.regs
    return next(kind for number, kind in _kind_groups() if regs[number][0] >= 0)


def _campaign_months(name: str) -> tuple[int, int | None]:
    for spec in load("campaigns")["campaigns"]:
        if regex.fullmatch(spec["name"], name):
            return int(spec["start"]), (int(spec["end"]) if spec.get("end") else None)
    return 1, None


# A run of months from January that fills a year, a half or the first quarter has that name.
FROM_JANUARY = {12: "", 6: "-H1", 3: "-Q1"}


def _month_span(y1: int, m1: int, y2: int, m2: int) -> str | None:
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12) or (y1, m1) > (y2, m2):
        return None
    if (y1, m1) == (y2, m2):
        return f"{y1}-{m1:02d}"
    if y1 == y2 and m1 == 1 and m2 in FROM_JANUARY:
        return f"{y1}{FROM_JANUARY[m2]}"
    if y1 == y2 and (m1, m2) == (7, 12):
        return f"{y1}-H2"
    return f"{y1}-{m1:02d}/{y2}-{m2:02d}"


def _release_month(year: int, reference: dt.date | None) -> int | None:
    """The month a 'to date' figure of ``year`` reaches: the release month in that year, else the year's end."""
    if reference is None:
        return None
    if reference.year > year:
        return 12
    if reference.year != year:
        return None
    early = reference.day <= int(load("periods")["to_date"]["early_days"]) and reference.month > 1
    return reference.month - 1 if early else reference.month


def label_of(
    m: regex.Match, year: int, reference: dt.date | None, head: str | None = None, days: str | None = None
) -> tuple[bool, str | None]:
    """(decided, label) for one span expression and the figure's year; undecided expressions let the
    search go on (a bare 今年 in a report on a quarter)."""
    kind = span_kind(m)
    y1 = int(m["y1"]) if m["y1"] else year  # every alternative of the span pattern names y1 or not
    if kind == "days":
        m1, d1, d2 = span_number(m["m1"]), span_number(m["d1"]), span_number(m["d2"])
        m2 = span_number(m["m2"]) or m1
        y2 = int(m["y2"]) if m["y2"] else y1
        if not m["y1"] and not m["y2"] and m2 is not None and m1 is not None and m2 < m1:
            y1 = year - 1
        try:
            first, last = dt.date(y1, m1, d1), dt.date(y2, m2, d2)  # type: ignore[arg-type]  # None: TypeError
        except (TypeError, ValueError):
            return False, None
        return (True, f"{first.isoformat()}/{last.isoformat()}") if first <= last else (False, None)
    if kind == "months":
        y2 = int(m["y2"]) if m["y2"] else y1
        if m["first"]:
            return True, _month_span(y1, 1, y1, span_number(m["first"]) or 0)
        m1, m2 = span_number(m["m1"]) or 0, span_number(m["m2"]) or 0
        label = _month_span(y1, m1, y2, m2)
        return (label is not None), label
    if kind == "quarter":
        q = span_number(m["q"])
        return True, f"{y1}-Q{q}"
    if kind == "half":
        return True, f"{y1}-H{1 if m['h'] == '上' else 2}"
    if kind == "nine":
        return True, f"{year}-01/{year}-09"
    if kind in ("month", "cmpmonth", "baremonth"):
        month = span_number(m["m1"] or m["m2"])
        return (True, f"{y1}-{month:02d}") if month and 1 <= month <= 12 else (False, None)
    if kind == "until":
        y = int(m["y"]) if m["y"] else year
        month = span_number(m["m"])
        if _is_bulletin(head):
            return True, head
        return (True, _month_span(y, 1, y, month)) if month and 1 <= month <= 12 else (False, None)
    if kind == "sinceday":  # 自6月25日…以来: that day to the day the figures reach
        try:
            first = dt.date(int(m["y"]) if m["y"] else year, span_number(m["m"]) or 0, span_number(m["d"]) or 0)
        except ValueError:
            return False, None
        if reference is None or reference.year != year or reference < first:
            return True, str(year)
        return True, f"{first.isoformat()}/{reference.isoformat()}"
    if kind == "oneday":  # 於4月30日: that day
        try:
            day = dt.date(year, span_number(m["m"]) or 0, span_number(m["d"]) or 0)
        except ValueError:
            return False, None
        return True, f"{day.isoformat()}/{day.isoformat()}"
    if kind in ("since", "yearcampaign"):
        y = int(m["y"]) if m["y"] else year
        start, reached = (1 if kind == "yearcampaign" else span_number(m["m"])), _release_month(y, reference)
        if not start or not reached or y != year:
            return True, str(year)
        return True, _month_span(y, start, y, reached) if start <= reached else str(year)
    if kind == "campaign":
        if not _told_pattern().match(m.string, m.end()):
            return False, None  # a campaign merely named: the figures are not its own (campaigns.yaml told)
        start, end = _campaign_months(m["k_campaign"])
        if head and _is_campaign(head) and int(head[5:7]) == start:
            return True, head  # the campaign's own days as the report's head gives them
        reached = _release_month(year, reference)
        last_month = min(reached, end) if reached and end else (reached or end)
        return (True, _month_span(year, start, year, last_month)) if last_month else (True, str(year))
    if kind == "holiday":  # its days as the report gives them, else not told
        return True, days
    if kind == "multi":
        return False, None  # several years: the figure's period is None then (context.figure_period)
    if kind == "sinceyear":
        if int(m["y"]) != year:
            return False, None  # several years: the figure's period is None then
        kind = "todate"
    if kind == "todate":
        if _is_bulletin(head) or _is_campaign(head) or (_is_days(head) and m[0] in THIS_TIME):
            return True, head
        if reference is not None and reference.year > year:
            return True, str(year)
        month = _release_month(year, reference)
        return True, (_month_span(year, 1, year, month) if month else str(year))
    if kind == "casedate":
        return True, None
    if kind == "levelnow":
        return False, None
    if kind == "pastyear":  # 一年来 in a release during the year: the twelve months up to it
        if reference is None or reference.year != year or reference.month <= 2:
            return True, str(year)
        month = _release_month(year, reference) or reference.month
        return True, f"{year - 1}-{month:02d}/{year}-{month:02d}"
    if kind == "rel":  # 去年(同期): the span named before it, a year earlier (see _fit)
        return False, None
    if kind == "year":
        return True, str(y1)
    return False, None


def _is_campaign(head: str | None) -> bool:
    """A head span that does not start in January (a campaign, 自6月25日…以来)."""
    return (
        head is not None
        and head != UNTOLD
        and len(head) > 7
        and head[4] == "-"
        and head[5:7] != "01"
        and "-Q" not in head
        and "-H" not in head
    )


THIS_TIME = ("今年",)  # 今年 in a holiday's bulletin: this year's holiday (相较去年春节连假,今年…)


BASE_GAP = regex.compile(r"\s?(?:的|为|是)?\s?")  # between a compared month and its value: 环比2月份(的)21起

DAYS_LABEL = regex.compile(r"\d{4}-\d\d-\d\d/\d{4}-\d\d-\d\d")


def _is_days(head: str | None) -> bool:
    """A head span of days (a holiday's bulletin: 2025-01-29/2025-02-06)."""
    return bool(head) and DAYS_LABEL.fullmatch(head) is not None


def _is_bulletin(head: str | None) -> bool:
    """A quarter or half-year bulletin: 今年以来 inside it means its quarter or half."""
    return head is not None and ("-Q" in head or "-H" in head)


def _label_year(label: str) -> int:
    return int(label.rsplit("/", 1)[-1][:4])


def shift_years(label: str, by: int) -> str:
    """The same span ``by`` years later: 2024-H1 → 2023-H1, 2023-11-15/2024-01-31 → 2022-11-15/2023-01-31."""
    return regex.sub(r"(?<!\d)((?:19|20)\d\d)(?!\d)", lambda m: str(int(m[1]) + by), label)


def _fit(label: str | None, period: int) -> str | None:
    """A label for a figure of ``period``: a span of the year before (去年同期 in a half-year report)
    moves back a year; a label of another year gives way to the figure's year."""
    if label is None:
        return None
    year = _label_year(label)
    if year == period:
        return label
    if year == period + 1 and len(label) > 4:
        return shift_years(label, -1)
    return str(period)


TO_DATE_KINDS = ("todate", "until")
OWN_SENTENCE_KINDS = ("oneday", "baremonth")
ANCHOR_KINDS = ("campaign", "since", "sinceday", "yearcampaign")


def _anchor(
    spans: MatchIndex, start: int, end: int, year: int, reference: dt.date | None, head: str | None
) -> str | None:
    """The span of the nearest campaign or 'since' before a to-date word (in its sentence or the one
    before, within its paragraph), if any."""
    for m in spans.between(start, end)[::-1]:
        if span_kind(m) in ANCHOR_KINDS:
            decided, label = label_of(m, year, reference, head)
            if decided and label:
                return label
    return None


def _anchor_until(anchor: str, until: regex.Match, year: int) -> str:
    """The months from an anchor's start (2016-12-01/…, 2022-06/2022-09) to those an until names (截至3月31日),
    crossing into the next year where the until names no year and its month comes first; else the anchor."""
    start = anchor.split("/")[0]
    month = span_number(until["m"])
    if len(start) < 7 or not month:
        return anchor
    first_year, first_month = int(start[:4]), int(start[5:7])
    last_year = int(until["y"]) if until["y"] else max(year, first_year)
    if not until["y"] and (last_year, month) < (first_year, first_month):
        last_year = first_year + 1
    return _month_span(first_year, first_month, last_year, month) or anchor


EVENT_YIELDS = (None, "year", "sinceyear", "rel")  # what an event overrides; not a to-date word (今年以来)


def span_label(
    layout: Layout,
    pos: int,
    period: int | None,
    spans: MatchIndex,
    reference: dt.date | None,
    head: str | None,
    days: str | None = None,
    event_day: dt.date | None = None,
    level: bool = True,
) -> str | None:
    """The period_label of the figure at ``pos`` whose year is ``period``; ``head`` is the span the
    report's head names, ``days`` the first span of days it gives, ``event_day`` its lead date; ``level``:
    the figure is no change (only a level can be the base value a compared month dates)."""
    if period is None or head == UNTOLD:
        return None
    s_start, _ = layout.sentence(pos)
    p_start, _ = layout.paragraph(pos)
    own = spans.last_between(s_start, pos)
    if own is None or span_kind(own) in EVENT_YIELDS:
        event = event_label(layout.norm[s_start:pos], event_day, reference, period)
        if event:
            return event
    for start, end in ((s_start, pos), (p_start, s_start)):
        for m in spans.between(start, end)[::-1]:
            if start != s_start and span_kind(m) in OWN_SENTENCE_KINDS:
                continue  # a day, a month named alone, speaks for its own sentence only
            if span_kind(m) == "cmpmonth":  # the base of a comparison dates the value right after it only
                if level and start == s_start and BASE_GAP.fullmatch(layout.norm, m.end(), pos):
                    return _fit(label_of(m, period, reference)[1], period)
                continue
            decided, label = label_of(m, period, reference, head, days)
            if decided:
                since = max(p_start, layout.sentence(s_start - 1)[0]) if s_start > 0 else s_start
                if span_kind(m) in TO_DATE_KINDS and (
                    anchor := _anchor(spans, since, m.start(), period, reference, head)
                ):
                    # 在夏季行动方面…。目前已清查…: to date since the campaign's start; 从2016年12月1日起…。
                    # 截至3月31日…: from the start's month to the month it names
                    label = _anchor_until(anchor, m, period) if span_kind(m) == "until" else anchor
                return _fit(label, period) if label is not None else None
    return _fit(head, period) if head else str(period)
