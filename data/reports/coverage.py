"""Print the coverage of data/reports/manifest.csv: a table of jurisdictions x years and the counts the
data card (data/README.md) quotes. Run: python data/reports/coverage.py [--markdown] [--card]
(--card rewrites the generated section of data/README.md between its coverage markers.)

Counts: reports; provincial-level divisions (the first two digits of the GB/T 2260 code, 10 = national
releases, not a province); jurisdictions (one code and name; Taiwan's cities share the code 710000) with
three or more distinct years.
"""

import csv
import sys
from collections import defaultdict
from pathlib import Path

MANIFEST = Path(__file__).resolve().parent / "manifest.csv"
NATIONAL = "100000"
MIN_YEARS = 3


def read_rows(path: Path = MANIFEST) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def years_of(row: dict) -> list[int]:
    return [int(y) for y in row["years"].split(";") if y.strip()]


def jurisdiction(row: dict) -> tuple[str, str]:
    """(code, name): the code alone would merge Taiwan's cities, which GB/T 2260 gives one code (710000)"""
    return row["region_code"], row["region"]


def years_by_jurisdiction(rows: list[dict]) -> dict[tuple[str, str], set[int]]:
    """(code, name) -> the distinct years its reports cover"""
    out: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in rows:
        out[jurisdiction(r)].update(years_of(r))
    return dict(out)


def provinces(rows: list[dict]) -> set[str]:
    """two-digit provincial prefixes of the codes, national releases left out"""
    return {r["region_code"][:2] for r in rows if r["region_code"] != NATIONAL}


def series(rows: list[dict], min_years: int = MIN_YEARS) -> dict[tuple[str, str], set[int]]:
    return {c: ys for c, ys in years_by_jurisdiction(rows).items() if len(ys) >= min_years}


def counts(rows: list[dict]) -> dict[str, int]:
    return {
        "reports": len(rows),
        "provinces": len(provinces(rows)),
        "jurisdictions": len(years_by_jurisdiction(rows)),
        "series_3y": len(series(rows)),
        "national_years": len(set().union(*([years_of(r) for r in rows if r["region_code"] == NATIONAL] or [[]]))),
    }


def table(rows: list[dict]) -> str:
    """markdown table: one line per jurisdiction (code order), reports per year"""
    cells: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        for y in years_of(r):
            cells[jurisdiction(r)][y] += 1
    all_years = sorted({y for c in cells.values() for y in c})
    lines = [
        "| jurisdiction | code | years | " + " | ".join(str(y) for y in all_years) + " |",
        "|---|---|---|" + "---|" * len(all_years),
    ]
    for code, name in sorted(cells):
        row = cells[(code, name)]
        lines.append(
            f"| {name} | {code} | {len(row)} | " + " | ".join(str(row[y]) if y in row else "" for y in all_years) + " |"
        )
    return "\n".join(lines)


CARD = MANIFEST.parent.parent / "README.md"
START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"


def card_section(rows: list[dict]) -> str:
    """the generated part of the data card: counts (also as comments the test reads) and the table"""
    c = counts(rows)
    comments = " ".join(f"<!-- {k}: {c[k]} -->" for k in ("reports", "provinces", "series_3y", "national_years"))
    return (
        f"{START}\n{comments}\n\n"
        f"- reports: **{c['reports']}**, jurisdictions: {c['jurisdictions']}\n"
        f"- provincial-level divisions with at least one report: **{c['provinces']} of 34**\n"
        f"- jurisdictions with reports for {MIN_YEARS} or more distinct years: **{c['series_3y']}**\n"
        f"- years covered by the Ministry's national releases: {c['national_years']}\n\n"
        f"{table(rows)}\n{END}"
    )


def update_card(rows: list[dict], card: Path = CARD) -> None:
    text = card.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{card} has no {START} ... {END} section")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    card.write_text(head + card_section(rows) + tail, encoding="utf-8")


def main() -> int:
    if not MANIFEST.exists():
        print(f"no manifest at {MANIFEST}", file=sys.stderr)
        return 2
    rows = read_rows()
    if "--card" in sys.argv[1:]:
        update_card(rows)
    c = counts(rows)
    if "--markdown" in sys.argv[1:]:
        print(table(rows))
        print()
    print(f"reports: {c['reports']}")
    print(f"jurisdictions: {c['jurisdictions']}")
    print(f"provincial-level divisions: {c['provinces']} of 34")
    print(f"jurisdictions with >= {MIN_YEARS} years: {c['series_3y']}")
    print(f"national (Ministry) releases cover {c['national_years']} years")
    return 0


if __name__ == "__main__":
    sys.exit(main())
