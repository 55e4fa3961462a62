"""A document made ready for its figures: what is read once from the whole text before any figure.

``document_setting`` reads the whole document (normalized text, reference date, subject year, place);
``document_context`` builds the Context every figure of one part of it shares (layout, indexes of time
words, spans and keywords, the spans its head and lead name).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from metrics.extraction.classify import KeywordIndex
from metrics.extraction.context import (
    Layout,
    MatchIndex,
    detect_published,
    layout_of,
    parse_published,
    source_year,
    subject_year,
    time_index,
    year_after_past,
)
from metrics.extraction.figure import Figure
from metrics.extraction.jurisdiction import region_fields
from metrics.extraction.normalize import FILLER, normalize
from metrics.extraction.period_span import span_index
from metrics.extraction.report_span import data_date, days_label, head_label, holiday_year, lead_date


class Setting(NamedTuple):
    """What is read from the whole document, even when it is extracted part by part."""

    norm: str  # the normalized text (same length as the text)
    reference: dt.date | None  # the publication date: given, else read from the text
    subject: int | None  # the year the report is about
    place: dict[str, str | None]  # region, region_code and province (metrics/extraction/jurisdiction.py)


def document_setting(text: str, published: str | dt.date | None, region: str | None, source: str | None) -> Setting:
    """The setting of a non-empty ``text``: ``published`` resolves 今年/去年, else the date is read from the
    text; ``source`` (the document's address) gives the year when neither does."""
    norm = normalize(text)
    reference = parse_published(published) or detect_published(norm)
    subject = subject_year(norm, reference) or source_year(source) or holiday_year(norm) or year_after_past(norm)
    return Setting(norm, reference, subject, region_fields(region, text, year=subject))


@dataclass(frozen=True)
class Context:
    """What every figure of one document shares."""

    text: str
    norm: str
    layout: Layout
    reference: dt.date | None
    subject: int | None
    doc_id: str | None
    region: str | None
    published: str | None
    keywords: KeywordIndex
    times: MatchIndex
    spans: MatchIndex  # span expressions for period_label (metrics/extraction/period_span.py)
    data_date: dt.date | None  # the date the figures reach (dateline or publication date)
    days: str | None  # the first span of days the report gives (a holiday's days)
    event_day: dt.date | None  # the lead date (12月9日,记者从…大会上获悉), for figures of one event
    head: str | None  # the span the report's head names (2021-10 for a monthly bulletin), if any
    place: dict  # region_code and province of the document (metrics/extraction/jurisdiction.py)
    # paragraph start → where the short lines above it start (figure_record.section_start), found once
    section_starts: dict[int, int] = field(default_factory=dict, compare=False, repr=False)


def first_statistic(figures: list[Figure]) -> int | None:
    """Where the first figure that is no duration (记者31日从…) stands, if any."""
    return next((f.start for f in figures if f.unit_group != "duration"), None)


def document_context(text: str, setting: Setting, doc_id: str | None, first_figure: int | None) -> Context:
    """The Context of ``text`` (a document, or one part of it: ``setting.norm`` is its normalized text)
    whose first statistic stands at ``first_figure``."""
    norm, reference, subject, place = setting
    spans = span_index(norm)
    reached = data_date(norm, reference, subject)
    return Context(
        text=text,
        norm=norm,
        layout=layout_of(norm),
        reference=reference,
        spans=spans,
        data_date=reached,
        days=days_label(norm, spans, subject, reached),
        event_day=lead_date(norm, reference, subject),
        head=head_label(norm, spans, subject, reached, first_figure),
        subject=subject,
        doc_id=doc_id,
        region=place["region"],
        published=reference.isoformat() if reference else None,
        keywords=KeywordIndex(norm),
        times=time_index(norm),
        place={"region_code": place["region_code"], "province": place["province"]},
    )


def original_slice(ctx: Context, start: int, end: int) -> str:
    """The text as written between two offsets, without converter junk."""
    norm = ctx.norm[start:end]
    if FILLER not in norm:  # nearly always: no junk blanked there
        return ctx.text[start:end]
    return "".join(ch for ch, n in zip(ctx.text[start:end], norm) if n != FILLER)
