"""A table's column headers: what each column holds (patterns/tables.yaml). A year column gives its
period (2013年, or a bare 2013 in the lines just above a table), a 数量差距/增减 column makes a cell a
change in counts, a 百分率 column a change in percent; a column of the same period a year before (去年同期)
or of the period before (上周) gives the table's change columns their basis (yoy, mom).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from metrics.rules import alternation, compile_checked, load

HEADER_LOOKBACK = 400  # characters before a table's first row searched for its column header
HEADER_LINE_MAX = 120  # characters: a longer line above a table is prose, not its header
BARE_YEAR = regex.compile(r"(?<![\d.,])(?:19|20)\d\d(?![\d.,%])")


@dataclass(frozen=True, slots=True)
class Column:
    kind: str  # count, rate, change_abs, change_pct
    year: int | None
    offset: int = 0  # years back from the report's year (去年同期 → -1)
    basis: str | None = None  # for a change column: yoy / mom


@cache
def header_pattern() -> regex.Pattern:
    data = load("tables")
    words = alternation(
        data["change_pct"]
        + data["change_abs"]
        + data["current_period"]
        + data["previous_year"]
        + data["previous_period"]
        + data["share"]
    )
    return compile_checked(
        rf"(?P<year>{data['year_header']})|(?P<word>{words})(?P<pct>{data['percent_mark']})?", "tables.yaml headers"
    )


@cache
def year_header_pattern() -> regex.Pattern:
    """The year alternative of header_pattern alone: a line without it holds no header of years."""
    return compile_checked(load("tables")["year_header"], "tables.yaml year_header")


@cache
def _word_column() -> dict[str, Column]:
    """Header word → the column it heads (its year unknown)."""
    data = load("tables")
    columns = {w: Column("count", None) for w in data["current_period"]}
    columns.update({w: Column("count", None, basis="mom") for w in data["previous_period"]})  # marks the table mom
    columns.update({w: Column("rate", None) for w in data["share"]})
    columns.update({w: Column("count", None, offset=-1) for w in data["previous_year"]})
    columns.update({w: Column("change_abs", None, basis=_basis_of_word(w)) for w in data["change_abs"]})
    columns.update({w: Column("change_pct", None, basis=_basis_of_word(w)) for w in data["change_pct"]})
    return columns


def _basis_of_word(word: str) -> str | None:
    data = load("tables")
    if any(w in word for w in data["mom_words"]):
        return "mom"
    return "yoy" if any(w in word for w in data["yoy_words"]) else None


def header_columns(header: str, bare_years: bool = False) -> list[Column]:
    """The meaningful column headers in order: years (2013年; a bare 2013 too when ``bare_years``) and
    change words. A year repeated right away (2013 年 Ano de 2013: a bilingual header) is one column.

    >>> [(c.kind, c.year) for c in header_columns("2013 年 Ano de 2013 2014 年 数量差距 百份率差距")]
    [('count', 2013), ('count', 2014), ('change_abs', None), ('change_pct', None)]
    >>> [(c.kind, c.year) for c in header_columns("项目 2022 2023 增减", bare_years=True)]
    [('count', 2022), ('count', 2023), ('change_abs', None)]
    """
    found = [(m.start(), m.end(), m) for m in header_pattern().finditer(header)]
    if bare_years:
        taken = [(a, b) for a, b, _ in found]
        found += [
            (m.start(), m.end(), m) for m in BARE_YEAR.finditer(header) if not any(a <= m.start() < b for a, b in taken)
        ]
    columns: list[Column] = []
    for _, _, m in sorted(found, key=lambda f: f[0]):
        if m.re is BARE_YEAR or m["year"]:
            column = Column("count", int(regex.search(r"\d{4}", m.group()).group()))
            if columns and columns[-1] == column:
                continue
        else:
            column = _word_column()[m["word"]]
            if m["pct"] and column.kind == "change_abs":
                column = Column("change_pct", None, basis=column.basis)
        columns.append(column)
    return with_table_basis(columns)


def with_table_basis(columns: list[Column]) -> list[Column]:
    """Change columns without a basis of their own take the table's: yoy beside a column of the same
    period a year before (去年同期), mom beside one of the period just before (上周)."""
    if any(c.offset == -1 for c in columns):
        basis: str | None = "yoy"
    else:
        basis = "mom" if any(c.kind == "count" and c.basis == "mom" for c in columns) else None
    return [Column(c.kind, c.year, c.offset, c.basis or basis) if c.kind.startswith("change") else c for c in columns]


def with_change_years(columns: list[Column]) -> list[Column]:
    """Change columns take the latest year of the header (2014 for 2013 → 2014)."""
    years = [c.year for c in columns if c.year is not None]
    latest = max(years) if years else None
    return [
        Column(c.kind, latest, c.offset, c.basis) if c.kind.startswith("change") and c.year is None else c
        for c in columns
    ]


def header_span(norm: str, start: int) -> tuple[int, int]:
    """The span of the header lines just above a table that starts at ``start``: up to three lines,
    none of them prose (a full stop, or longer than HEADER_LINE_MAX)."""
    begin, count = start, 0
    window = max(0, start - HEADER_LOOKBACK)
    while begin > window and count < 3:
        line_start = norm.rfind("\n", window, begin - 1) + 1 if begin - 1 > window else window
        line = norm[line_start : begin - 1] if begin - 1 >= line_start else ""
        if line.strip():
            if "。" in line or len(line.strip()) > HEADER_LINE_MAX:
                break
            count += 1
        begin = line_start
        if line_start == window:
            break
    return begin, start


def header_before(norm: str, start: int) -> list[Column]:
    """The columns named in the lines just above a table (header_span); a bare year counts there
    (项目 2022 2023 增减). The line right above the rows is read alone first: a caption above it may name
    a year too (2023年罪案统计 over 罪案类别 2022 2023 增减 百分率)."""
    begin, end = header_span(norm, start)
    last_line = norm.rfind("\n", begin, max(begin, end - 1)) + 1  # the line right above the rows, alone first:
    for header in (norm[max(begin, last_line) : end], norm[begin:end]):  # a caption above may name a year too
        columns = with_change_years(header_columns(header, bare_years=True))
        if len(columns) >= 2:
            return columns
    return []
