"""The records of one list of figures (a group: one figure, or 分别上升7.8%、42.2%): where its metric
phrase stands, how a list of subjects or bases pairs with its figures, and what a figure without a metric
of its own inherits from the figures before it in its sentence (a change takes its level's metric).
"""

from __future__ import annotations

from dataclasses import replace

from metrics.extraction.classify import clean_metric, compares_on_its_own, is_only_change_words
from metrics.extraction.document import Context, original_slice
from metrics.extraction.figure import Figure
from metrics.extraction.figure_record import PART_MARKER, make_record, trailing_noun
from metrics.extraction.lists import LIST_GAP, basis_list, distribute_subjects, is_subject_list, says_respectively
from metrics.extraction.measure import category_for_measure, part_takes_whole, verb_in_metric
from metrics.extraction.normalize import FILLER, normalize
from metrics.record import Record


def metric_bounds(ctx: Context, start: int, stop: int) -> tuple[int, int]:
    """Offsets of the metric phrase inside norm[start:stop], function words trimmed; a figure inside an
    aside it stands in (44起(日均6.3起) takes the words of the aside only."""
    start += _inside_aside(ctx.norm[start:stop])
    phrase = ctx.norm[start:stop]
    cleaned = clean_metric(phrase)
    if not cleaned:
        return stop, stop
    at = _locate(phrase, cleaned)
    return start + at[0], start + at[1]


def _inside_aside(phrase: str) -> int:
    """Where an aside the phrase opens and does not close begins (after its bracket), else 0: 报警5544起(198起
    → 198起 counts what the aside says (a bracket closed before the figure, 管控(登记在册)的吸毒人员, is none)."""
    opened = phrase.rfind("(")
    return opened + 1 if opened >= 0 and ")" not in phrase[opened:] else 0


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


def part_takes_measure(ctx: Context, records: list[Record], earlier: list[tuple[Figure, Record]]) -> list[Record]:
    """A part (其中…, and the items after it in its sentence) measures what the whole it belongs to
    measures: the last figure before 其中 with the same unit family (破获…案件6100多起,其中养老诈骗案件
    2200多起 → solved), in its sentence or, when 其中 opens the sentence, the sentence before, in its
    paragraph."""
    if not records or not earlier:
        return records
    s_start, _ = ctx.layout.sentence(records[0].start)
    marker = ctx.norm.rfind(PART_MARKER, s_start, records[0].start)
    if marker < 0:
        return records
    p_start, _ = ctx.layout.paragraph(records[0].start)  # a whole of another paragraph is no whole of this part
    wholes = [r for _, r in earlier if p_start <= r.start and r.end <= marker] or [
        r for _, r in earlier if p_start <= r.start and r.end <= records[0].start
    ]
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
    # in a list of figures each followed by its noun (造成1107人死亡、4624人受伤), the noun before is no word of
    # the next figure
    previous_end = _end_with_noun(ctx, earlier[-1][0], head) if earlier else 0
    phrase_start = max(clause_start, previous_end)
    m_start, m_end = metric_bounds(ctx, phrase_start, head.start)
    raw_phrase = ctx.norm[phrase_start : head.start]
    phrase = ctx.norm[m_start:m_end]
    count = len(group)

    bases = basis_list(raw_phrase, count)
    subjects = None if bases else distribute_subjects(phrase, count)
    if subjects:
        originals = distribute_subjects(original_slice(ctx, m_start, m_end), count) or subjects
        return _records_for_items(ctx, group, (m_start, m_end), originals)
    if bases:
        return [make_record(ctx, f, (m_start, m_end), b) for f, b in zip(group, bases)]

    has_noun = trailing_noun(ctx, head)[1] > head.end and head.direction is None
    if (is_only_change_words(raw_phrase) or m_start == m_end) and not has_noun:
        counts = [r for f, r in earlier if r.kind not in ("change_pct", "change_abs")]
        respectively = says_respectively(ctx.norm[phrase_start : head.number_start])
        if (
            count >= 2
            and len(counts) >= count
            and is_subject_list(ctx.norm, [f for f, r in earlier][-count:], across_clauses=respectively)
        ):
            return [
                make_record(ctx, f, (m_start, m_end), None, metric_text=r.metric, measure=r.measure)
                for f, r in zip(group, counts[-count:])
            ]
        # a figure without words of its own (至於兇殺案,去年有28宗; 暴力犯罪方面,共有840宗): the clause before may
        # name it, rather than the figure before in another clause
        named = _clause_before_without_figure(ctx, clause_start, previous_end)
        if named is not None:  # 一次死亡3人以上事故,同比下降39.7%: the clause before names what changes
            subjects = distribute_subjects(ctx.norm[named[0] : named[1]], count)
            if subjects:  # 即刑事警情数、…和传统盗窃案件发案数,降幅分别为35.8%、17.1%、46.6%
                originals = distribute_subjects(original_slice(ctx, *named), count) or subjects
                return _records_for_items(ctx, group, named, originals)
            return [make_record(ctx, f, named, None) for f in group]
        if earlier:  # a change of the figure before: its metric and what it measures, and its basis when
            # it is a change too and this clause names none (同比减少4121宗,减幅达29.1%: yoy)
            inherited = earlier[-1][1]
            carried = None if compares_on_its_own(raw_phrase) else inherited.basis
            made = [
                make_record(ctx, f, (m_start, m_end), None, metric_text=inherited.metric, measure=inherited.measure)
                for f in group
            ]
            return [replace(r, basis=carried) if r.basis is None and r.direction else r for r in made]
    return [make_record(ctx, f, (m_start, m_end), None) for f in group]


def _end_with_noun(ctx: Context, figure: Figure, following: Figure) -> int:
    """Where a figure ends, with the noun it counts when one follows it and only a list separator stands
    between that noun and the ``following`` figure, a level too (1107人死亡、4624人受伤 → after 死亡)."""
    if figure.direction is not None or following.direction is not None:
        return figure.end
    _, noun_end = trailing_noun(ctx, figure)
    gap = ctx.norm[noun_end : following.start]  # a separator, not nothing: 3起抓获12人 keeps 抓获 for 12人
    return noun_end if noun_end > figure.end and gap.strip() and LIST_GAP.match(gap) else figure.end


def _clause_before_without_figure(ctx: Context, clause_start: int, previous_end: int) -> tuple[int, int] | None:
    """The metric phrase of the clause right before ``clause_start`` in its sentence, when no figure stands
    in that clause (it starts after ``previous_end``, where the last figure of the sentence ends) and a
    category's keyword stands in it; else None."""
    if clause_start == 0 or ctx.norm[clause_start - 1] != ",":  # (the text is normalized: ， is ,)
        return None
    before = ctx.layout.clause_start(clause_start - 1)
    s_start, _ = ctx.layout.sentence(clause_start - 1)
    if before < max(previous_end, s_start) or before >= clause_start - 1:
        return None
    m_start, m_end = metric_bounds(ctx, before, clause_start - 1)
    if m_start == m_end or is_only_change_words(ctx.norm[m_start:m_end]) or not ctx.keywords.between(m_start, m_end):
        return None  # no words of a category there (排名全省第二): not what the change measures
    return m_start, m_end


def _records_for_items(ctx: Context, group: list[Figure], metric: tuple[int, int], items: list[str]) -> list[Record]:
    """One record for each item of a subject list (刑事打处、逮捕 … 分别…). An item that names no measure of
    its own shares the measure of the whole list: 治安及群众求助类警情 counts 警情 in both items."""
    records = []
    whole: str | None = None  # the list's measure, read once and only when an item needs it
    for figure, item in zip(group, items):
        record = make_record(ctx, figure, metric, None, metric_text=item, in_list=True)
        if record.measure == "other":
            whole = whole or make_record(ctx, figure, metric, None).measure
            if whole != "other":  # what make_record does with a measure given
                record = replace(record, measure=whole, category=category_for_measure(whole, record.category))
        records.append(record)
    return records
