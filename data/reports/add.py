"""Add reports found with the search tool to data/reports/ (one JSON file each + one row in manifest.csv).

A batch is a Python file of calls `R(doc_id, source, published, region, years, genre, text, code=None)`;
run `python data/reports/add.py batch.py`. The text is kept exactly as the search tool returned it (one
contiguous excerpt at most). The region code comes from the GB/T 2260 list shipped by `cpca` (or `code=`,
when the name is ambiguous); 全国 is 100000.
"""

import csv
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.csv"
COLUMNS = ["doc_id", "source", "published", "region", "region_code", "years", "genre", "chars"]
GENRES = {
    "year_review",
    "half_year",
    "quarter",
    "month",
    "period_review",
    "holiday",
    "bulletin_110",
    "traffic",
    "press_conference",
    "campaign",
    "national_release",
    "statistical_communique",
}
NATIONAL = {"全国": "100000"}


def division_codes() -> dict[str, list[str]]:
    """name -> six-digit GB/T 2260 codes, from the list shipped by cpca"""
    import cpca

    path = Path(cpca.__file__).parent / "resources" / "adcodes.csv"
    names: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names.setdefault(row["name"], []).append(row["adcode"][:6])
    return names


def read_manifest() -> list[dict]:
    if not MANIFEST.exists():
        return []
    with open(MANIFEST, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_manifest(rows: list[dict]) -> None:
    rows = sorted(rows, key=lambda r: r["doc_id"])
    with open(MANIFEST, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def main(batch: str) -> int:
    names = division_codes()
    rows = read_manifest()
    known_ids = {r["doc_id"] for r in rows}
    known_urls = {r["source"] for r in rows}
    added = 0
    docs: list[dict] = []

    def R(doc_id, source, published, region, years, genre, text, code=None):
        nonlocal added
        if doc_id in known_ids:
            sys.exit(f"{doc_id}: doc_id already used")
        if source in known_urls:
            sys.exit(f"{doc_id}: source already in the manifest: {source}")
        if genre not in GENRES:
            sys.exit(f"{doc_id}: unknown genre {genre!r}")
        if not text.strip():
            sys.exit(f"{doc_id}: empty text")
        if code is None:
            found = NATIONAL.get(region) and [NATIONAL[region]] or names.get(region, [])
            if len(set(found)) != 1:
                sys.exit(f"{doc_id}: region {region!r} has codes {found}; give code=")
            code = found[0]
        doc = {
            "doc_id": doc_id,
            "source": source,
            "published": published,
            "region": region,
            "region_code": code,
            "genre": genre,
            "text": text,
        }
        docs.append(doc)
        rows.append(
            {
                "doc_id": doc_id,
                "source": source,
                "published": published,
                "region": region,
                "region_code": code,
                "years": str(years),
                "genre": genre,
                "chars": len(text),
            }
        )
        known_ids.add(doc_id)
        known_urls.add(source)
        added += 1

    code = Path(batch).read_text(encoding="utf-8")
    # a batch is a local file of R(...) calls written by whoever adds reports, not data from the web
    exec(compile(code, batch, "exec"), {"R": R})  # noqa: S102
    for doc in docs:  # written only when the whole batch passed
        with open(HERE / f"{doc['doc_id']}.json", "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
    write_manifest(rows)
    print(f"added {added}, manifest has {len(rows)}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.path.exists(sys.argv[1]):
        print("usage: python data/reports/add.py BATCH.py", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
