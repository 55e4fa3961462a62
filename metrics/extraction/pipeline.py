"""extract(): report text in, grounded statistics out.

The pipeline, each stage a pure function: read the whole document (document.py: normalize, same length;
reference date, subject year, place) → find figures (spans.py) → group figures that stand in a list
(lists.py: 7.1%、14%、2.6%) → name what each counts (group_records.py: its metric, pairing 分别 lists) →
classify (figure_record.py: kind, category, basis, period) → records whose ``text[start:end] == surface``;
table cells are read as cells (tables.py, cell_records.py), not as prose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

from metrics.extraction.cell_records import records_for_cells, without_cells
from metrics.extraction.document import Setting, document_context, document_setting, first_statistic
from metrics.extraction.figure import Figure
from metrics.extraction.group_records import records_for_group
from metrics.extraction.lists import group_lists, share_within_list
from metrics.extraction.roc_years import YearsBack, roc_converted
from metrics.extraction.spans import find_figures
from metrics.extraction.tables import table_cells
from metrics.record import Record
from metrics.rules import load

EARLIER_KEPT = 64  # figures of the sentence so far that a later figure of it may refer back to


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
    read, setting, back = _read_setting(text, published, region, source)
    records = _extract_part(read, setting, doc_id)
    return [back.record(r) for r in records] if back is not None else records


def _read_setting(
    text: str, published: str | dt.date | None, region: str | None, source: str | None
) -> tuple[str, Setting, YearsBack | None]:
    """The text the stages read, its setting, and the way back to ``text`` when they differ: a report of
    Taiwan naming years of the Republic (110年) is read as a copy with Gregorian years (roc_years.py)."""
    setting = document_setting(text, published, region, source)
    roc = roc_converted(text, setting.place["region_code"] or "")
    if roc is None:
        return text, setting, None
    converted, back = roc
    return converted, document_setting(converted, published, region, source), back


PART = 1_000_000  # characters: a longer document is extracted paragraph group by paragraph group


def extract_parts(
    text: str,
    *,
    size: int = PART,
    published: str | dt.date | None = None,
    region: str | None = None,
    doc_id: str | None = None,
    source: str | None = None,
) -> Iterator[list[Record]]:
    """extract() in parts of about ``size`` characters cut after a line end, offsets still indexing the
    whole ``text``: memory holds one part's records and indexes at a time, not the whole document's.
    The reference date and subject year are read from the whole text first, as extract() does."""
    if not isinstance(text, str) or not text:
        return
    text, setting, back = _read_setting(text, published, region, source)  # the parts are read on it
    norm = setting.norm
    start = 0
    while start < len(norm):
        end = len(norm)
        if end - start > size:  # after the last line end, else sentence end, in reach; else anywhere
            cut = norm.rfind("\n", start, start + size)
            cut = cut if cut > start else max(norm.rfind(ch, start, start + size) for ch in "。！？!?;")
            end = cut + 1 if cut > start else start + size
        records = _extract_part(text[start:end], setting._replace(norm=norm[start:end]), doc_id)
        records = [replace(r, start=r.start + start, end=r.end + start) for r in records] if start else records
        yield [back.record(r) for r in records] if back is not None else records
        start = end


def _extract_part(text: str, setting: Setting, doc_id: str | None) -> list[Record]:
    """The records of ``text``, the whole document or one part of it (``setting.norm`` its normalized text)."""
    norm = setting.norm
    figures = find_figures(norm)
    ctx = document_context(text, setting, doc_id, first_statistic(figures))
    emit_durations = bool(load("units")["emit_durations"])
    records: list[Record] = []
    earlier: list[tuple[Figure, Record]] = []
    prior: list[tuple[Figure, Record]] = []
    sentence = None
    cells = table_cells(norm)
    for group in group_lists(norm, without_cells(figures, cells)):
        group = share_within_list(group, norm)
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
