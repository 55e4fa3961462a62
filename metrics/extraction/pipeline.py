"""extract(): report text in, grounded statistics out.

The pipeline, each stage a pure function: normalize (same length) → find figures → group figures that
stand in a list (7.1%、14%、2.6%) → name what each counts (its metric, pairing 分别 lists) → classify
(kind, category, basis, period) → records whose ``text[start:end] == surface``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

import regex

from metrics.extraction.classify import (
    KeywordIndex,
    basis_of,
    category_of,
    clean_metric,
    is_only_change_words,
    kind_of,
    starts_with_change_word,
)
from metrics.extraction.context import (
    SENTENCE_BACK,
    Layout,
    MatchIndex,
    detect_published,
    figure_period,
    layout_of,
    parse_published,
    source_year,
    subject_year,
    time_index,
)
from metrics.extraction.jurisdiction import region_fields
from metrics.extraction.measure import category_for_measure, measure_of, part_takes_whole, unit_norm, verb_in_metric
from metrics.extraction.normalize import FILLER, normalize
from metrics.extraction.period_span import (
    data_date,
    days_label,
    head_label,
    holiday_year,
    lead_date,
    span_index,
    span_label,
)
from metrics.extraction.scope import scope_of
from metrics.extraction.spans import Figure, find_figures
from metrics.extraction.tables import Cell, label_text, table_cells
from metrics.record import Record
from metrics.rules import alternation, compile_checked, load

TRAILING_NOUN = regex.compile(r"的?(?P<noun>[^\d,;:。！？!?\n、()（）\x1f“”\"]{1,12})")
CLAUSE_REST = regex.compile(r"[^,;:。！？!?\n]{0,30}")
NOUN_UNITS = ("count", "money")
HAN = regex.compile(r"\p{Han}")
SUBJECT_GAP_BREAK = regex.compile(r"[,;:。]")
LIST_GAP = regex.compile(r"^\s*+(?:(?:、|和|及|与|以及|,)\s*+)?$")  # possessive: linear on a long run of spaces
PREVIOUS_YEAR_SAME_PERIOD = regex.compile(r"(?:较|比|与)(?:上年|去年)(?:同期|的\s*$)")  # 较去年的2万4,752件
LEVEL_GROUPS = ("percent", "none", "tenths", "score")
NOUN_ENDINGS = "数率量件人案情额员点所"
EARLIER_KEPT = 64  # figures of the sentence so far that a later figure of it may refer back to
CASE_REACH = 60  # characters before a figure in its sentence where a marker of one case (该团伙) counts
GENERIC_BACK = (
    120  # characters before a sentence (its paragraph, or the heading above) read for a generic count (发生3起)
)


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
    spans: MatchIndex  # span expressions for period_label (metrics/period_span.py)
    data_date: dt.date | None  # the date the figures reach (dateline or publication date)
    days: str | None  # the first span of days the report gives (a holiday's days)
    event_day: dt.date | None  # the lead date (12月9日,记者从…大会上获悉), for figures of one event
    head: str | None  # the span the report's head names (2021-10 for a monthly bulletin), if any
    place: dict  # region_code and province of the document (metrics/jurisdiction.py)


def group_lists(norm: str, figures: list[Figure]) -> list[list[Figure]]:
    """Consecutive figures with only a list separator between them form one group."""
    groups: list[list[Figure]] = []
    for figure in figures:
        if groups and LIST_GAP.match(norm[groups[-1][-1].end : figure.start]):
            groups[-1].append(figure)
        else:
            groups.append([figure])
    return groups


def share_within_list(group: list[Figure]) -> list[Figure]:
    """Items of a list take the head's change direction and the last item's unit where they have none."""
    head, last = group[0], group[-1]
    shared = []
    for figure in group:
        if figure.direction is None and head.direction and figure.unit_group in LEVEL_GROUPS:
            figure = replace(figure, direction=head.direction)
        if figure.unit_group == "none" and not figure.magnitude and last.unit_group != "none":
            figure = replace(
                figure, unit_group=last.unit_group, unit=last.unit, unit_start=last.unit_start, unit_end=last.unit_end
            )
        shared.append(figure)
    return shared


# ---------------------------------------------------------------- metrics


def metric_bounds(ctx: Context, start: int, stop: int) -> tuple[int, int]:
    """Offsets of the metric phrase inside norm[start:stop], function words trimmed."""
    phrase = ctx.norm[start:stop]
    cleaned = clean_metric(phrase)
    if not cleaned:
        return stop, stop
    at = _locate(phrase, cleaned)
    return start + at[0], start + at[1]


def _locate(phrase: str, cleaned: str) -> tuple[int, int]:
    """Where the cleaned phrase (filler removed) stands in the phrase."""
    if FILLER not in phrase:
        at = phrase.rfind(cleaned)
        return (at, at + len(cleaned)) if at >= 0 else (len(phrase), len(phrase))
    stripped = [(i, c) for i, c in enumerate(phrase) if c != FILLER]
    text = "".join(c for _, c in stripped)
    at = text.rfind(cleaned)
    if at < 0:
        return len(phrase), len(phrase)
    return stripped[at][0], stripped[at + len(cleaned) - 1][0] + 1


def original_slice(ctx: Context, start: int, end: int) -> str:
    """The text as written between two offsets, without converter junk."""
    return "".join(ch for ch, n in zip(ctx.text[start:end], ctx.norm[start:end]) if n != FILLER)


@cache
def _list_separator() -> regex.Pattern:
    return compile_checked(alternation(load("metric")["list_seps"]), "metric.yaml list_seps")


def split_items(phrase: str) -> list[str]:
    return [item for item in _list_separator().split(phrase) if item]


def distribute_subjects(phrase: str, count: int) -> list[str] | None:
    """'治安、电诈、黄赌、伤害类警情' with 4 figures → one metric each ('治安类警情' ...), or None."""
    items = split_items(phrase)
    if len(items) != count or count < 2:
        return None
    *heads, last = items
    if all(len(h) <= 4 and h[-1] not in NOUN_ENDINGS for h in heads) and len(last) > len(heads[-1]):
        suffix = last[len(heads[-1]) :]
        return [h + suffix for h in heads] + [last]
    return items


@cache
def _basis_list() -> regex.Pattern:
    data = load("changes")
    words = alternation(data["yoy"] + data["mom"])
    return compile_checked(rf"(?P<b>{words})(?:、(?P<b>{words}))+", "basis list")


def basis_list(phrase: str, count: int) -> list[str] | None:
    """'同比、环比分别下降33.42%、28.69%' → ['yoy', 'mom']."""
    m = _basis_list().search(phrase)
    if not m or len(m.captures("b")) != count:
        return None
    mom = set(load("changes")["mom"])
    return ["mom" if b in mom else "yoy" for b in m.captures("b")]


# ---------------------------------------------------------------- records


def trailing_noun(ctx: Context, figure: Figure) -> tuple[int, int]:
    """Offsets of the noun a measure word counts when it follows the figure (破获8起现发命案 → 现发命案)."""
    if figure.unit_group not in NOUN_UNITS:
        return figure.end, figure.end
    m = TRAILING_NOUN.match(ctx.norm, figure.end, min(len(ctx.norm), figure.end + 14))
    if not m or not HAN.match(m["noun"]) or starts_with_change_word(m["noun"]):
        return figure.end, figure.end  # 45起下降至28起: what follows is a change, not a noun
    return m.start("noun"), m.end("noun")


SECTION_LINE_MAX = 60  # characters: a line this short without a full stop is a heading or a table row


def section_start(ctx: Context, p_start: int) -> int:
    """Where the short lines right above a paragraph start (a heading 二、各辖区交通事故情况, a table's
    title and rows): their keywords count as the paragraph's own when its category is looked for."""
    start = p_start
    for _ in range(12):
        if start == 0:
            break
        previous, _ = ctx.layout.paragraph(start - 1)
        line = ctx.norm[previous:start].strip()
        if len(line) > SECTION_LINE_MAX or "。" in line:
            break
        start = previous
    return start


HEADING_MAX = 40  # characters: a line this short before a paragraph is read as its heading


def heading_category(ctx: Context, p_start: int) -> str | None:
    """The category a section heading names (二、各辖区交通事故情况 above 桐城辖区发生3起…): the
    outright keyword of the short line right before the figure's paragraph, if any."""
    h_start = h_end = p_start
    while h_start > 0 and not ctx.norm[h_start:h_end].strip():  # blank lines between are skipped
        h_start, h_end = ctx.layout.paragraph(h_start - 1)
    if not ctx.norm[h_start:h_end].strip() or h_end - h_start > HEADING_MAX:
        return None
    strong = [h for h in ctx.keywords.between(h_start, h_end) if h[3] == "strong"]
    return strong[0][2] if strong else None


def make_record(
    ctx: Context,
    figure: Figure,
    metric: tuple[int, int],
    basis_override: str | None,
    metric_text: str | None = None,
    in_list: bool = False,
    measure: str | None = None,
) -> Record:
    """The record of one figure. ``metric_text`` names it when it differs from text[metric] (a
    distributed subject, an inherited metric); ``in_list`` says the subject is one item of the list at
    text[metric], whose other items can tell its category (电信网络诈骗案件发案数、财损金额); ``measure``
    is given with an inherited metric (a change measures what its level measures)."""
    norm, layout = ctx.norm, ctx.layout
    m_start, m_end = metric
    metric_norm = norm[m_start:m_end] if metric_text is None else normalize(metric_text)
    metric_out = original_slice(ctx, m_start, m_end) if metric_text is None else metric_text
    metric_hits = None if metric_text is not None else ctx.keywords.between(m_start, m_end)
    t_start, t_end = trailing_noun(ctx, figure)
    if t_end > t_start and figure.direction is None:
        metric_norm += norm[t_start:t_end]
        metric_out += original_slice(ctx, t_start, t_end)
        metric_hits = None
    s_start, s_end = layout.sentence(figure.start)
    p_start, _ = layout.paragraph(figure.start)
    rest = CLAUSE_REST.match(norm, figure.end)
    category = category_of(
        metric_norm,
        ctx.keywords.between(figure.end, rest.end()),
        ctx.keywords.between(s_start, min(m_start, figure.start)),
        ctx.keywords.between(section_start(ctx, p_start), s_start),
        metric_hits,
        ctx.keywords.between(m_start, m_end) if in_list else None,
    )
    if category == "other":
        category = heading_category(ctx, p_start) or category
    direction = figure.direction or ("up" if figure.unit_group == "ratio" else None)
    kind = kind_of(figure.unit_group, direction, bool(figure.magnitude), metric_norm)
    is_change = kind in ("change_pct", "change_abs")
    period = figure_period(layout, figure.start, ctx.reference, ctx.subject, ctx.times)
    # from the clause of the metric (a list's head), but never further back than a sentence reaches:
    # the 300,000th item of one list must not read the whole list again
    clause_from = max(layout.clause_start(min(m_start, figure.start)), figure.start - SENTENCE_BACK)
    clause = norm[clause_from : figure.start]
    if not is_change and period is not None and PREVIOUS_YEAR_SAME_PERIOD.search(clause):
        period -= 1
    basis = (
        (basis_override or basis_of(norm[layout.clause_start(figure.start) : figure.start] + " " + clause, period))
        if is_change
        else None
    )
    unit = "%" if figure.unit_group == "fraction" else ctx.text[figure.unit_start : figure.unit_end]
    before = norm[s_start : min(m_start, figure.start)]
    clause_before = norm[layout.clause_start(min(m_start, figure.start)) : min(m_start, figure.start)]
    if measure is None:  # given when the metric is inherited: what it measures comes with it
        measure = measure_of(
            metric_norm,
            unit,
            kind,
            before,
            clause_before,
            category,
            norm[max(0, min(p_start, s_start - GENERIC_BACK)) : s_start],
        )
    category = category_for_measure(measure, category)
    return Record(
        doc_id=ctx.doc_id,
        region=ctx.region,
        published=ctx.published,
        metric=metric_out,
        category=category,
        kind=kind,
        value=float(figure.value),
        unit=unit,
        qualifier=figure.qualifier,
        direction=direction if is_change else None,
        basis=basis,
        period=period,
        surface=ctx.text[figure.start : figure.end],
        start=figure.start,
        end=figure.end,
        sentence=ctx.text[s_start:s_end].strip(),
        period_label=span_label(
            layout, figure.start, period, ctx.spans, ctx.data_date, ctx.head, ctx.days, ctx.event_day
        ),
        measure=measure,
        scope=scope_of(metric_norm, norm[max(s_start, figure.start - CASE_REACH) : figure.start]),
        unit_norm=unit_norm(unit),
        **ctx.place,
    )


def part_takes_measure(ctx: Context, records: list[Record], earlier: list[tuple[Figure, Record]]) -> list[Record]:
    """A part (其中…, and the items after it in its sentence) measures what the whole it belongs to
    measures: the last figure before 其中 with the same unit family (破获…案件6100多起,其中养老诈骗案件
    2200多起 → solved), in its sentence or, when 其中 opens the sentence, the sentence before."""
    if not records or not earlier:
        return records
    s_start, _ = ctx.layout.sentence(records[0].start)
    marker = ctx.norm.rfind("其中", s_start, records[0].start)
    if marker < 0:
        return records
    wholes = [r for _, r in earlier if r.end <= marker] or [r for _, r in earlier if r.end <= records[0].start]
    out = []
    for record in records:
        if record.measure not in part_takes_whole() or verb_in_metric(
            normalize(record.metric), record.unit, record.kind
        ):
            out.append(record)  # 其中移送公共危险罪101件, 其中严重受伤341人: its own words decide
            continue
        whole = next((r for r in reversed(wholes) if r.unit_norm == record.unit_norm), None)
        out.append(replace(record, measure=whole.measure) if whole else record)
    return out


def records_for_group(
    ctx: Context,
    group: list[Figure],
    earlier: list[tuple[Figure, Record]],
    prior: list[tuple[Figure, Record]] | None = None,
) -> list[Record]:
    """Records for one list of figures; ``earlier`` holds the figures already read in this sentence,
    ``prior`` those of the sentence before (a part, 其中…, may open a sentence of its own)."""
    return part_takes_measure(ctx, _records_for_group(ctx, group, earlier), earlier or prior or [])


def _records_for_group(ctx: Context, group: list[Figure], earlier: list[tuple[Figure, Record]]) -> list[Record]:
    head = group[0]
    clause_start = ctx.layout.clause_start(head.start)
    previous_end = earlier[-1][0].end if earlier else 0
    phrase_start = max(clause_start, previous_end)
    m_start, m_end = metric_bounds(ctx, phrase_start, head.start)
    raw_phrase = ctx.norm[phrase_start : head.start]
    phrase = ctx.norm[m_start:m_end]
    count = len(group)

    bases = basis_list(raw_phrase, count)
    subjects = None if bases else distribute_subjects(phrase, count)
    if subjects:
        originals = distribute_subjects(original_slice(ctx, m_start, m_end), count) or subjects
        return [
            make_record(ctx, f, (m_start, m_end), None, metric_text=o, in_list=True) for f, o in zip(group, originals)
        ]
    if bases:
        return [make_record(ctx, f, (m_start, m_end), b) for f, b in zip(group, bases)]

    has_noun = trailing_noun(ctx, head)[1] > head.end and head.direction is None
    if (is_only_change_words(raw_phrase) or m_start == m_end) and not has_noun:
        counts = [r for f, r in earlier if r.kind not in ("change_pct", "change_abs")]
        if count >= 2 and len(counts) >= count and _is_list(ctx, [f for f, r in earlier][-count:]):
            return [
                make_record(ctx, f, (m_start, m_end), None, metric_text=r.metric, measure=r.measure)
                for f, r in zip(group, counts[-count:])
            ]
        if earlier:  # a change of the figure before: its metric and what it measures
            inherited = earlier[-1][1]
            return [
                make_record(ctx, f, (m_start, m_end), None, metric_text=inherited.metric, measure=inherited.measure)
                for f in group
            ]
    return [make_record(ctx, f, (m_start, m_end), None) for f in group]


def _is_list(ctx: Context, figures: list[Figure]) -> bool:
    """Do these figures stand in one subject list (刑事打处2129人、逮捕684人)?"""
    gaps = [ctx.norm[a.end : b.start] for a, b in zip(figures, figures[1:])]
    return all(len(g) <= 12 and not SUBJECT_GAP_BREAK.search(g) for g in gaps)


def extract(
    text: str,
    *,
    published: str | dt.date | None = None,
    region: str | None = None,
    doc_id: str | None = None,
    source: str | None = None,
) -> list[Record]:
    """Every statistic in ``text``, grounded: ``text[r.start:r.end] == r.surface`` for each record.

    ``published`` (ISO date) resolves 今年/去年; without it the date is read from the text itself.
    ``source`` (the document's address) gives the report's year when neither the text nor ``published`` does.
    """
    if not isinstance(text, str) or not text:
        return []
    norm = normalize(text)
    reference = parse_published(published) or detect_published(norm)
    subject = subject_year(norm, reference) or source_year(source) or holiday_year(norm)
    return _extract_part(text, norm, reference, subject, region_fields(region, text, year=subject), doc_id)


def first_statistic(figures: list[Figure]) -> int | None:
    """Where the first figure that is no duration (记者31日从…) stands, if any."""
    return next((f.start for f in figures if f.unit_group != "duration"), None)


PART = 1_000_000  # characters: a longer document is extracted paragraph group by paragraph group


def extract_parts(
    text: str,
    *,
    published: str | dt.date | None = None,
    region: str | None = None,
    doc_id: str | None = None,
    source: str | None = None,
    size: int = PART,
) -> Iterator[list[Record]]:
    """extract() in parts of about ``size`` characters cut after a line end, offsets still indexing the
    whole ``text``: memory holds one part's records and indexes at a time, not the whole document's.
    The reference date and subject year are read from the whole text first, as extract() does."""
    if not isinstance(text, str) or not text:
        return
    norm = normalize(text)
    reference = parse_published(published) or detect_published(norm)
    subject = subject_year(norm, reference) or source_year(source) or holiday_year(norm)
    place = region_fields(region, text, year=subject)
    start = 0
    while start < len(norm):
        end = len(norm)
        if end - start > size:  # after the last line end, else sentence end, in reach; else anywhere
            cut = norm.rfind("\n", start, start + size)
            cut = cut if cut > start else max(norm.rfind(ch, start, start + size) for ch in "。！？!?;")
            end = cut + 1 if cut > start else start + size
        records = _extract_part(text[start:end], norm[start:end], reference, subject, place, doc_id)
        yield [replace(r, start=r.start + start, end=r.end + start) for r in records] if start else records
        start = end


def _extract_part(
    text: str,
    norm: str,
    reference: dt.date | None,
    subject: int | None,
    place: dict[str, str | None],
    doc_id: str | None,
) -> list[Record]:
    spans = span_index(norm)
    figures = find_figures(norm)
    reached = data_date(norm, reference, subject)
    ctx = Context(
        text=text,
        norm=norm,
        layout=layout_of(norm),
        reference=reference,
        spans=spans,
        data_date=reached,
        days=days_label(norm, spans, subject, reached),
        event_day=lead_date(norm, reference, subject),
        head=head_label(norm, spans, subject, reached, first_statistic(figures)),
        subject=subject,
        doc_id=doc_id,
        region=place["region"],
        published=reference.isoformat() if reference else None,
        keywords=KeywordIndex(norm),
        times=time_index(norm),
        place={"region_code": place["region_code"], "province": place["province"]},
    )
    emit_durations = bool(load("units")["emit_durations"])
    records: list[Record] = []
    earlier: list[tuple[Figure, Record]] = []
    prior: list[tuple[Figure, Record]] = []
    sentence = None
    cells = table_cells(norm)
    for group in group_lists(norm, without_cells(figures, cells)):
        group = share_within_list(group)
        this_sentence = ctx.layout.sentence_of(group[0].start)
        if this_sentence != sentence:
            sentence, prior, earlier = this_sentence, earlier or prior, []
        del earlier[:-EARLIER_KEPT]  # a list of 300,000 items must not be read again for each item
        made = records_for_group(ctx, group, earlier, prior)
        earlier.extend(zip(group, made))
        records.extend(r for r in made if emit_durations or r.kind != "duration")
    if cells:
        records = sorted(records + records_for_cells(ctx, cells), key=lambda r: r.start)
    return records


# ---------------------------------------------------------------- table cells (metrics/tables.py)


def without_cells(figures: list[Figure], cells: list[Cell]) -> list[Figure]:
    """The figures that stand in no table cell (a cell is read as a cell, not as prose)."""
    if not cells:
        return figures
    spans = sorted((c.start, c.end) for c in cells)  # cells do not overlap: their ends are sorted too
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]
    kept = []
    for f in figures:
        # the cells starting before the figure ends, ending after it starts
        if bisect.bisect_left(starts, f.end) <= bisect.bisect_right(ends, f.start):
            kept.append(f)
    return kept


def with_header_measure(ctx: Context, record: Record, cell: Cell) -> Record:
    """A row header that names no measure (單一車輛行駛中) takes the one its table's header names
    (致命意外 嚴重意外 輕微意外 → accidents)."""
    if record.measure != "other" or cell.header is None:
        return record
    measure = measure_of(ctx.norm[cell.header[0] : cell.header[1]].strip(), record.unit, record.kind)
    return replace(record, measure=measure) if measure != "other" else record


def records_for_cells(ctx: Context, cells: list[Cell]) -> list[Record]:
    """One record per table cell: its row header the metric, its column's year the period."""
    groups = {
        "count": "count",
        "rate": "percent",
        "change_abs": "count",
        "change_pct": "percent",
    }  # no 款 makes a cell money
    records = []
    for cell in cells:
        group = "percent" if cell.percent else groups[cell.kind]
        unit_start = cell.end - 1 if cell.percent else cell.end
        figure = Figure(
            start=cell.start,
            end=cell.end,
            number_start=cell.start,
            number=ctx.norm[cell.start : cell.end],
            magnitude="",
            unit="%" if cell.percent else "",
            unit_start=unit_start,
            unit_end=cell.end,
            unit_group=group,
            qualifier="exact",
            direction=cell.direction,
            direction_in_surface=cell.direction is not None,
            value=cell.value,
            chinese=False,
        )
        metric = cell.label[-1] if cell.label else (cell.start, cell.start)
        record = make_record(ctx, figure, metric, cell.basis, metric_text=label_text(ctx.text, cell))
        record = with_header_measure(ctx, record, cell)
        if cell.period is not None:
            record = replace(record, period=cell.period, period_label=str(cell.period))
        elif cell.period_offset and record.period is not None:
            period = record.period + cell.period_offset  # 去年同期: the same span a year back
            label = record.period_label.replace(str(record.period), str(period)) if record.period_label else None
            record = replace(record, period=period, period_label=label)
        records.append(record)
    return records
