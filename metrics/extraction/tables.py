"""Tables as input: each numeric cell of a table row is a statistic.

A table reaches the extractor as text: one row a line, cells separated by a tab (the HTML, PDF and DOCX
readers render tables so) or by runs of spaces; or, from a PDF's text layer, every row run together on one
line (``汽車 automóveis 689 717 +28 +4.06% 電單車 motociclos 630 579 -51 -8.10%``). A cell's metric is its
row header; its column header says what it holds (patterns/tables.yaml): a year column gives its period,
a 数量差距/增减 column makes it a change in counts, a 百分率 column a change in percent. A sign glued to a
change (+28, -8.10%) gives its direction. Thousands grouped by a single space (``42 923 45 315 +2 392 +5.6``)
are joined where the header's column count leaves exactly one way to do it.

Pure functions over the normalized text (same length as the text, so every offset indexes the text too):

>>> rows = "项目 2022年 2023年 增减 增减百分率\\n总体罪案 42 923 45 315 +2 392 +5.6\\n"
>>> [(c.value, c.kind, c.direction, c.period, rows[c.start:c.end]) for c in table_cells(rows)]
[(42923.0, 'count', None, 2022, '42 923'), (45315.0, 'count', None, 2023, '45 315'), (2392.0, 'change_abs', 'up', 2023, '+2 392'), (5.6, 'change_pct', 'up', 2023, '+5.6')]
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, replace

import regex

from metrics.extraction.table_headers import (
    HEADER_LOOKBACK,
    Column,
    header_before,
    header_columns,
    header_pattern,
    header_span,
    with_change_years,
    year_header_pattern,
)
from metrics.rules import load

TOKEN = r"[+\-]?\(?\d[\d,]*(?:\.\d+)?%?\)?"
# A run of numeric tokens separated by spaces or tabs; not glued to letters, Han or other digits.
RUN = regex.compile(rf"(?<![^\s]){TOKEN}(?:[ \t]+{TOKEN})*(?![^\s])")
TOKEN_RE = regex.compile(TOKEN)
TOKEN_LAST = regex.compile(r"[\d,%)]")  # every character a TOKEN can end with (tests/test_tables.py checks)
FIRST_GROUP = regex.compile(r"[+\-]?\(?\d{1,3}")  # may start a space-grouped number
CONTINUATION = regex.compile(r"\d{3}(?:\.\d+)?%?\)?")  # 923, 392, 315.5%
HAN_CHUNK = regex.compile(r"\p{Han}[\p{Han}()（）]*")
LINE = regex.compile(r"[^\n]*")
LEADING_ZERO = regex.compile(r"[+\-]?\(?0\d+")
MAX_CELL_DIGITS = 15
MAX_HEADER_COLUMNS = 12  # header words looked at before a row run together on one line
MAX_ROW_TOKENS = 60  # a longer run of numbers is no table row (and its splitting would not stay cheap)


@dataclass(frozen=True, slots=True)
class Cell:
    start: int  # the cell's surface (a glued sign included, parentheses not)
    end: int
    value: float  # always >= 0; a change's sign is its direction
    kind: str  # count, rate (a share: 占比), change_abs or change_pct
    direction: str | None  # up / down for a change
    percent: bool  # the cell carries a % sign
    label: tuple[tuple[int, int], ...]  # the row header: spans of its Han words
    period: int | None  # the year of its column, if the header names one
    period_offset: int = 0  # -1 in a column of the same period a year before (去年同期)
    basis: str | None = None  # yoy / mom for a change, from the header (同比, 去年同期 … 增减)
    header: tuple[int, int] | None = None  # the lines just above its table (column titles, a caption)


# ---------------------------------------------------------------- cells of one run


def split_run(tokens: list[tuple[int, int, str]], count: int | None) -> list[list[tuple[int, int, str]]] | None:
    """Tokens grouped into cells: one token a cell when ``count`` is unknown or equal to their number;
    else the single way of joining space-grouped thousands (42 923) that gives ``count`` cells, or None
    (no way, or several). Counted by dynamic programming, so a long run stays cheap."""
    if count is None or len(tokens) == count:
        return [[t] for t in tokens]
    n = len(tokens)
    if n < count or n > MAX_ROW_TOKENS:
        return None
    texts = [t[2] for t in tokens]
    ends = [_cell_ends(texts, i) for i in range(n)]
    ways = [[0] * (count + 1) for _ in range(n + 1)]  # ways[i][c]: splits of tokens[i:] into c cells, capped at 2
    ways[n][0] = 1
    for i in range(n - 1, -1, -1):
        for c in range(1, count + 1):
            ways[i][c] = min(2, sum(ways[j][c - 1] for j in ends[i]))
    if ways[0][count] != 1:
        return None
    groups, i = [], 0
    for c in range(count, 0, -1):
        j = next(j for j in ends[i] if ways[j][c - 1] == 1)
        groups.append(list(tokens[i:j]))
        i = j
    return groups


def _cell_ends(texts: list[str], i: int) -> list[int]:
    """Where a cell starting at token i may end: after it, or after further 3-digit thousands groups."""
    ends = [i + 1]
    if not FIRST_GROUP.fullmatch(texts[i]):
        return ends
    j = i + 1
    while j < len(texts) and CONTINUATION.fullmatch(texts[j]):
        ends.append(j + 1)
        if not texts[j].isdigit():  # 315.5% ends the number
            break
        j += 1
    return ends


def cell_of(group: list[tuple[int, int, str]], column: Column, label: tuple) -> Cell | None:
    start, end = group[0][0], group[-1][1]
    text = " ".join(t[2] for t in group)
    if text.startswith("("):
        start += 1
    if text.endswith(")"):
        end -= 1
        text = text[:-1]
    text = text.lstrip("(")
    sign = text[0] if text[0] in "+-" else ""
    percent = text.endswith("%")
    digits = text.lstrip("+-").rstrip("%").replace(",", "").replace(" ", "")
    if not digits or len(digits) > MAX_CELL_DIGITS or not regex.fullmatch(r"\d+(?:\.\d+)?", digits):
        return None
    value = float(digits)
    kind = column.kind
    if sign and kind in ("count", "rate"):
        kind = "change_pct" if percent or kind == "rate" else "change_abs"
    if kind == "change_abs" and percent:
        kind = "change_pct"
    change = kind.startswith("change")
    direction = ("down" if sign == "-" else ("up" if value else None)) if change else None
    offset = column.offset if column.year is None else 0  # a year column is its own period
    return Cell(
        start, end, value, kind, direction, percent, label, column.year, offset, column.basis if change else None
    )


def label_spans(norm: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """The Han words of a row header (Portuguese or English glosses between them left out)."""
    return tuple((m.start(), m.end()) for m in HAN_CHUNK.finditer(norm, start, end))


def whole_label(norm: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """A row header on its own line, as one span, spaces and tabs trimmed (A1類事故, 不繳付罰款 (15 日紙))."""
    m = regex.search(r"\S(?:.*\S)?", norm[start:end])
    if not m:
        return ()
    label = regex.sub(r"^(?:\d{1,3}[.、]?\s+)", "", m.group())  # a row number before it: 1 刑事案件
    at = start + m.end() - len(label)
    return ((at, start + m.end()),)


def _run_tokens(m: regex.Match) -> list[tuple[int, int, str]]:
    return [(m.start() + t.start(), m.start() + t.end(), t.group()) for t in TOKEN_RE.finditer(m.group())]


def _cells_of_run(
    norm: str, run: regex.Match, columns: list[Column] | None, count: int | None, label: tuple
) -> list[Cell] | None:
    groups = split_run(_run_tokens(run), count)
    if groups is None or len(groups) < load("tables")["min_cells"]:
        return None
    if columns is None or len(columns) < len(groups):
        plain = [Column("count", None)] * (len(groups) - len(columns or []))
        columns = plain + list(columns or [])  # known columns are the last ones (changes stand last)
    columns = columns[-len(groups) :]
    cells = [cell_of(g, c, label) for g, c in zip(groups, columns)]
    return None if any(c is None for c in cells) else [c for c in cells if c is not None]


# ---------------------------------------------------------------- tables laid out one row a line


@dataclass(frozen=True)
class _Row:
    line_start: int
    run: regex.Match
    label: tuple


def _line_row(norm: str, start: int, end: int) -> _Row | None:
    """A line that is a row: a label with Han in it, then numeric cells to the end of the line."""
    line = norm[start:end].rstrip()  # a tab is a cell break, as a space is
    if not line or not TOKEN_LAST.match(line[-1]):
        return None  # a row ends with a number token: most lines (prose) are no row at a glance
    runs = list(RUN.finditer(norm, start, start + len(line)))
    if not runs or runs[-1].end() != start + len(line):
        return None
    run = runs[-1]
    if is_phone_like(_run_tokens(run)):
        return None  # 0571 8888888: a phone number, not cells
    if not label_spans(norm, start, run.start()):
        return None  # a row header names something: it has Han in it
    return _Row(start, run, whole_label(norm, start, run.start()))


def is_phone_like(tokens: list[tuple[int, int, str]]) -> bool:
    """A token with a leading zero (0571, 010) that cannot be a thousands group (048 in 70 048)."""
    for i, (_, _, text) in enumerate(tokens):
        if LEADING_ZERO.fullmatch(text) and (i == 0 or len(text) != 3):
            return True
    return False


def line_table_cells(norm: str) -> list[Cell]:
    """Cells of tables laid out one row a line: blocks of at least two row lines, or one row under a
    header that names its columns."""
    cells: list[Cell] = []
    block: list[_Row] = []
    for m in LINE.finditer(norm):
        if not norm[m.start() : m.end()].strip():
            continue  # blank lines between rows do not end a table
        row = _line_row(norm, m.start(), m.end())
        if row is not None:
            block.append(row)
            continue
        if block:
            cells.extend(_block_cells(norm, block))
        block = []
    if block:
        cells.extend(_block_cells(norm, block))
    return cells


def _block_cells(norm: str, block: list[_Row]) -> list[Cell]:
    columns = header_before(norm, block[0].line_start) or None
    if len(block) < 2 and columns is None:
        return []
    if columns is not None:
        count = len(columns)
    else:
        count = Counter(len(_run_tokens(r.run)) for r in block).most_common(1)[0][0]
    cells: list[Cell] = []
    header = header_span(norm, block[0].line_start)
    for row in block:
        made = _cells_of_run(norm, row.run, columns, count if len(_run_tokens(row.run)) >= count else None, row.label)
        cells.extend(replace(cell, header=header) for cell in made or [])
    return cells


# ---------------------------------------------------------------- rows run together on one line


def inline_table_cells(norm: str, taken: list[Cell]) -> list[Cell]:
    """Cells of a table whose rows stand on one line (a PDF's text layer): after a header naming at
    least two columns (years, change words), each run of exactly that many numeric cells is a row, its
    label the Han words since the previous run."""
    cells: list[Cell] = []
    taken_starts = sorted(c.start for c in taken)
    for line in LINE.finditer(norm):
        if line.end() - line.start() < 20:
            continue
        at = bisect.bisect_left(taken_starts, line.start())
        if at < len(taken_starts) and taken_starts[at] < line.end():
            continue  # a line already read as a table row
        if year_header_pattern().search(norm, line.start(), line.end()) is None:
            continue  # no year in the line, so no header of years (one cheap search, not every header word)
        headers = [(m.start(), m.end(), m) for m in header_pattern().finditer(norm, line.start(), line.end())]
        if sum(1 for h in headers if h[2]["year"]) < 1 or len(headers) < 2:
            continue  # no header of years and change words on this line
        starts = [h[0] for h in headers]
        columns: list[Column] | None = None  # fixed by the first run that makes a row
        label_from = line.start()
        for run in RUN.finditer(norm, line.start(), line.end()):
            trying, start = columns, label_from
            if trying is None:
                first = bisect.bisect_left(starts, run.start() - HEADER_LOOKBACK)
                last = bisect.bisect_left(starts, run.start())
                window = [h for h in headers[max(first, last - MAX_HEADER_COLUMNS) : last] if h[1] <= run.start()]
                found = with_change_years(header_columns(" ".join(h[2].group() for h in window)))
                if len(found) < 2 or not any(c.year for c in found):
                    continue
                trying, start = found, window[-1][1]
            made = _cells_of_run(norm, run, trying, len(trying), label_spans(norm, start, run.start()))
            if made and len(made) == len(trying):
                cells.extend(made)
                columns, label_from = trying, run.end()
            elif columns is not None and not _is_header_noise(run):
                label_from = run.end()
    return cells


def _is_header_noise(run: regex.Match) -> bool:
    return len(run.group()) <= 4


# ---------------------------------------------------------------- entry point


def table_cells(norm: str) -> list[Cell]:
    """Every table cell of the normalized text, in order."""
    cells = line_table_cells(norm)
    cells += inline_table_cells(norm, cells)
    return sorted(cells, key=lambda c: c.start)


def label_text(text: str, cell: Cell) -> str:
    """The row header as written: its first Han word, further words in parentheses (吊車(汽車))."""
    words = [text[a:b] for a, b in cell.label]
    if len(words) <= 1:
        return "".join(words)
    return words[0] + "".join(f"({w})" for w in words[1:])
