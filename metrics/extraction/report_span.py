"""The spans a report names for itself, read once per document: the date of its news lead
(``lead_date``) and the date its figures reach (``data_date``), the span its head names (a bulletin's
title: 厦门市社会治安警情通报(2021年10月) → ``head_label``), the first span of days it gives (a holiday's
days → ``days_label``), and the year a named holiday's days identify (``holiday_year``). A figure's own
span is read by metrics/extraction/period_span.py, which these give their defaults.
"""

from __future__ import annotations

import datetime as dt

import regex

from metrics.extraction.context import MatchIndex
from metrics.extraction.period_span import SPAN_KINDS, UNTOLD, label_of, span_index, span_kind, span_number
from metrics.rules import load

HEAD = 300  # characters: where a report names the span it covers (title, first lines)

# The date of a news lead: a dateline (西安8月31日电), or the day the reporter learnt the figures or the
# press conference was held (记者8月18日从省公安厅了解到, 10月28日,省政府新闻办举行…).
LEAD_DATE = regex.compile(
    r"(?<![\d年])(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?日\s?"
    r"(?:电|讯|,|从|上午|下午|晚|召开|举行|获悉|了解|通报|发布)"
)
LEAD = 300  # characters where a lead date stands


def lead_date(norm: str, reference: dt.date | None, subject: int | None = None) -> dt.date | None:
    """A news report's lead date, when it falls on or before the page's publication date in the same
    year (a page re-published later) or, without a publication date, in the report's year."""
    year = reference.year if reference is not None else subject
    if year is None:
        return None
    m = LEAD_DATE.search(norm, 0, min(len(norm), LEAD))
    if not m:
        return None
    try:
        date = dt.date(year, int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    return date if reference is None or date <= reference else None


def data_date(norm: str, reference: dt.date | None, subject: int | None = None) -> dt.date | None:
    """The date a news report's figures reach: its lead date, else the publication date."""
    return lead_date(norm, reference, subject) or reference


def head_label(
    norm: str, spans: MatchIndex, subject: int | None, reference: dt.date | None, first_figure: int | None = None
) -> str | None:
    """The span the report's head names (its first HEAD characters, before its first figure: a heading
    further down speaks for its section), if it names one: a span of time, a campaign or a holiday
    (with the days the report gives it, else UNTOLD); of several, the last."""
    if subject is None:
        return None
    end = min(len(norm), HEAD, first_figure if first_figure is not None else HEAD)
    found = None
    for m in spans.between(0, end):  # the last before the first figure: nearest to the figures
        if span_kind(m) in SPAN_KINDS + ("campaign", "sinceday"):
            decided, label = label_of(m, subject, reference)
            if decided and label:
                found = label
        elif span_kind(m) == "holiday" and found is None:
            found = days_label(norm, spans, subject, reference) or UNTOLD
    return found


def days_label(norm: str, spans: MatchIndex, subject: int | None, reference: dt.date | None) -> str | None:
    """The first span of days the report gives as its own (a holiday's days: 1月29日至2月6日), not one it
    marks as last year's (去年春节2月10日至16日), if any."""
    if subject is None:
        return None
    for m in spans.between(0, len(norm)):
        if span_kind(m) == "days" and not _last_years(norm, m.start()):
            decided, label = label_of(m, subject, reference)
            if decided and label:
                return label
    return None


CLAUSE_END = regex.compile(r"[,;:。!?\n]")


def _last_years(norm: str, start: int) -> bool:
    """Does the clause before a span of days mark it as last year's (去年春节连假2月10日至16日)?"""
    before = norm[max(0, start - 16) : start]
    clause = CLAUSE_END.split(before)[-1]
    return any(word in clause for word in load("periods")["previous_year_days"])


def _day_spans(norm: str) -> set[tuple[str, int]]:
    """Every span of days within one year the text gives without a year (4月29日至5月3日 → 04-29/05-03),
    with the years it lies before the report's (1 for 去年春节2月10日至16日, else 0)."""
    found = set()
    for m in span_index(norm).matches:
        if span_kind(m) != "days" or m["y1"] or m["y2"]:
            continue
        m1, d1, d2 = span_number(m["m1"]), span_number(m["d1"]), span_number(m["d2"])
        m2 = span_number(m["m2"]) or m1
        if None not in (m1, d1, m2, d2):
            found.add((f"{m1:02d}-{d1:02d}/{m2:02d}-{d2:02d}", int(_last_years(norm, m.start()))))
    return found


def _new_year_starts(first_day: str, year: int) -> set[str]:
    """The days a Spring Festival span may start on: the lunar year's first day and its eve."""
    day = dt.date(year, int(first_day[:2]), int(first_day[3:]))
    return {f"{d.month:02d}-{d.day:02d}" for d in (day, day - dt.timedelta(days=1))}


def holiday_year(norm: str) -> int | None:
    """The year a named holiday's days identify (五一 4月29日至5月3日 → 2023, periods.yaml holiday_days; a
    Spring Festival span from the lunar year's first day or its eve, lunar_new_year), when exactly one year
    fits every span that fits any; for a text that names no year and has no date."""
    periods = load("periods")
    lunar = periods["lunar_new_year"]
    named = [h["days"] for h in periods["holiday_days"] if any(name in norm for name in h["names"])]
    spring = any(name in norm for name in lunar["names"])
    fits = []
    for span, back in _day_spans(norm):
        years = {int(year) + back for days in named for year, d in days.items() if d == span}
        if spring:
            years |= {int(y) + back for y, day in lunar["days"].items() if span[:5] in _new_year_starts(day, int(y))}
        if years:
            fits.append(years)
    common = set.intersection(*fits) if fits else set()
    return common.pop() if len(common) == 1 else None
