"""The record of one figure: its metric, category, kind, measure, basis, period and span, read from the
words around it (``make_record``).

The metric is the phrase before the figure (given by the caller) and, after a counting word, the noun
that follows it (破获8起现发命案); the category comes from the metric's keywords, then the rest of the
clause, the sentence and the short lines (a heading, a table's title) above its paragraph.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import regex

from metrics.extraction.classify import (
    basis_of,
    category_of,
    framed_basis,
    keyword_hits,
    kind_of,
    starts_with_change_word,
)
from metrics.extraction.context import SENTENCE_BACK, figure_period
from metrics.extraction.document import Context, original_slice
from metrics.extraction.figure import Figure
from metrics.extraction.measure import category_for_measure, measure_of, unit_norm
from metrics.extraction.normalize import normalize
from metrics.extraction.period_span import span_label
from metrics.extraction.scope import scope_of
from metrics.record import Record
from metrics.rules import alternation, compile_checked, load

TRAILING_NOUN = regex.compile(r"的?(?P<noun>[^\d,;:。！？!?\n、()（）\x1f“”\"]{1,12})")
REST = r"[^,;:。！？!?\n{also}]{{0,30}}"  # what follows a figure in its clause, up to a break
CLAUSE_REST = regex.compile(REST.format(also=""))
ITEM_REST = regex.compile(REST.format(also="、"))  # the clause up to the next item of a list
NOUN_UNITS = ("count", "money")
HAN = regex.compile(r"\p{Han}")
PART_MARKER = "其中"  # a part of the figure before (其中养老诈骗案件2200多起)
CASE_REACH = 60  # characters before a figure in its sentence where a marker of one case (该团伙) counts
GENERIC_BACK = (
    120  # characters before a sentence (its paragraph, or the heading above) read for a generic count (发生3起)
)


@cache
def _compared_value() -> regex.Pattern:
    periods = load("periods")
    earlier = alternation([w for w in periods["comparison_years"] if w in periods["relative_years"]])
    return compile_checked(periods["compared_value"].replace("{earlier}", earlier), "periods.yaml compared_value")


def compared_period(clause: str, period: int, reference: dt.date | None) -> int | None:
    """The year of a value the clause names as the base of a comparison (较2019年的80宗 → 2019), else None.
    去年 and 前年 count from the release (a January review's 前年 is the year before its own), never
    reaching the figure's year (较去年同期的 in a January review is the year before too)."""
    m = _compared_value().search(clause)
    if m is None:
        return None
    if m["year"]:
        return int(m["year"])
    offset = int(load("periods")["relative_years"][m["rel"]])
    return min((reference.year if reference else period) + offset, period - 1)


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
    title and rows), or the paragraph above when this one opens with 其中 (its whole stands there): their
    keywords count as the paragraph's own when its category is looked for.
    Found once per paragraph (the figures of one paragraph share it)."""
    found = ctx.section_starts.get(p_start)
    if found is None:
        found = ctx.section_starts[p_start] = _section_start(ctx, p_start)
    return found


def _section_start(ctx: Context, p_start: int) -> int:
    start = p_start
    if start > 0 and ctx.norm.startswith(PART_MARKER, p_start + _indent(ctx.norm, p_start)):
        start, _ = ctx.layout.paragraph(start - 1)  # a part (其中…) opening a paragraph: its whole is above
    for _ in range(12):
        if start == 0:
            break
        previous, _ = ctx.layout.paragraph(start - 1)
        line = ctx.norm[previous:start].strip()
        if len(line) > SECTION_LINE_MAX or "。" in line:
            break
        start = previous
    return start


def _indent(norm: str, start: int) -> int:
    """The number of spaces and blank lines at ``start``."""
    return len(norm[start : start + 20]) - len(norm[start : start + 20].lstrip())


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
    # the words after the figure in its clause (110个集体、626名民警受到表彰: the predicate after the list), but
    # not those of the next item when the figure's own words name a category (违法犯罪类警情上升8.13%、交通警情…)
    metric_hits = metric_hits if metric_hits is not None else keyword_hits(metric_norm)  # read once, used twice
    rest = (ITEM_REST if metric_hits else CLAUSE_REST).match(norm, figure.end)
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
    if not is_change and period is not None:
        period = compared_period(clause, period, ctx.reference) or period
    # up to the number, not the surface: a change word in the surface can name the basis too (比升2.99%)
    basis_words = norm[layout.clause_start(figure.start) : figure.number_start]
    basis = (basis_override or basis_of(basis_words + " " + clause, period)) if is_change else None
    if is_change and basis is None:  # 与去年国庆假期相比,全市刑事警情下降11.1%: a comparison in a clause before
        basis = framed_basis(norm[s_start:clause_from], basis_words + " " + clause)
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
            layout, figure.start, period, ctx.spans, ctx.data_date, ctx.head, ctx.days, ctx.event_day, not is_change
        ),
        measure=measure,
        scope=scope_of(metric_norm, norm[max(s_start, figure.start - CASE_REACH) : figure.start]),
        unit_norm=unit_norm(unit),
        **ctx.place,
    )
