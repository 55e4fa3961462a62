"""Table cells as records (the cells themselves are found by metrics/extraction/tables.py): each cell a
figure whose metric is its row header and whose period is its column's year.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from metrics.extraction.document import Context
from metrics.extraction.figure import Figure
from metrics.extraction.figure_record import make_record
from metrics.extraction.measure import measure_of
from metrics.extraction.tables import Cell, label_text
from metrics.record import Record


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
