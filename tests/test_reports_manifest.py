"""The unannotated reports in data/reports/: every manifest entry has a source address, a date that parses,
a known GB/T 2260 code and a non-empty text file that agrees with it; no two texts are near-duplicates
(MinHash on character 5-shingles, Jaccard >= 0.8), none repeats an annotated report of data/corpus; and the
coverage the data card (data/README.md) claims is what the manifest holds."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import re
import types
from itertools import combinations
from pathlib import Path

import pytest
from datasketch import MinHash, MinHashLSH

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
MANIFEST = REPORTS / "manifest.csv"
CARD = ROOT / "data" / "README.md"
COLUMNS = ["doc_id", "source", "published", "region", "region_code", "years", "genre", "chars"]
KEYS = {"doc_id", "source", "published", "region", "region_code", "genre", "text"}
SPECIAL_CODES = {"100000", "710000", "810000", "820000"}  # national releases, Taiwan, Hong Kong, Macao
URL = re.compile(r"^https?://[^\s/]+\.?[^\s/]*(/\S*)?$")
NEAR_DUPLICATE = 0.8
SHINGLE = 5
PERMUTATIONS = 128


def _load(path: Path) -> types.ModuleType:
    """A script of the data folder as a module, by its path (data/ is no package)."""
    spec = importlib.util.spec_from_file_location(f"data_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


coverage = _load(REPORTS / "coverage.py")  # the counts the data card quotes

ROWS = coverage.read_rows(MANIFEST)


def division_codes() -> set[str]:
    import cpca

    with open(Path(cpca.__file__).parent / "resources" / "adcodes.csv", encoding="utf-8") as f:
        return {row["adcode"][:6] for row in csv.DictReader(f)}


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    squeezed = re.sub(r"\s+", "", text)
    return {squeezed[i : i + k] for i in range(max(1, len(squeezed) - k + 1))}


def minhash(text: str) -> MinHash:
    m = MinHash(num_perm=PERMUTATIONS, seed=1)
    for s in shingles(text):
        m.update(s.encode("utf-8"))
    return m


def near_duplicate_pairs(texts: dict[str, str]) -> list[tuple[str, str, float]]:
    """pairs whose estimated Jaccard similarity of character 5-shingles reaches the threshold"""
    hashes = {k: minhash(t) for k, t in texts.items()}
    lsh = MinHashLSH(threshold=NEAR_DUPLICATE, num_perm=PERMUTATIONS)
    for k, m in hashes.items():
        lsh.insert(k, m)
    pairs = set()
    for k, m in hashes.items():
        for other in lsh.query(m):
            if other != k and m.jaccard(hashes[other]) >= NEAR_DUPLICATE:
                pairs.add(tuple(sorted((k, other))))
    return [(a, b, hashes[a].jaccard(hashes[b])) for a, b in sorted(pairs)]


def load(doc_id: str) -> dict:
    return json.loads((REPORTS / f"{doc_id}.json").read_text(encoding="utf-8"))


def test_manifest_has_its_columns_and_unique_ids():
    with open(MANIFEST, encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == COLUMNS
    ids = [r["doc_id"] for r in ROWS]
    assert len(ids) == len(set(ids))
    sources = [r["source"] for r in ROWS]
    assert len(sources) == len(set(sources)), "one page twice"


def test_every_file_is_in_the_manifest():
    files = {p.stem for p in REPORTS.glob("*.json")}
    assert files == {r["doc_id"] for r in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["doc_id"])
def test_entry(row):
    assert URL.match(row["source"]), row["source"]
    if row["published"]:
        dt.date.fromisoformat(row["published"])
    assert re.fullmatch(r"\d{6}", row["region_code"])
    assert row["region"].strip()
    years = coverage.years_of(row)
    assert years and all(1990 <= y <= 2026 for y in years)
    if row["published"]:
        assert max(years) <= int(row["published"][:4]), "a year after publication"
    doc = load(row["doc_id"])
    assert set(doc) == KEYS, "unannotated reports carry no metrics"
    assert doc["text"].strip()
    assert len(doc["text"]) == int(row["chars"])
    for key in ("doc_id", "source", "published", "region", "region_code", "genre"):
        assert doc[key] == row[key], key
    assert re.search(r"\d|[一二三四五六七八九十百千万億亿]", doc["text"]), "a text without a figure"


def test_every_code_is_a_known_division():
    known = division_codes() | SPECIAL_CODES
    unknown = {(r["region"], r["region_code"]) for r in ROWS if r["region_code"] not in known}
    assert not unknown


def test_the_detector_finds_a_repost():
    text = load(ROWS[0]["doc_id"])["text"]
    repost = "转载:" + text + "(责任编辑:某某)"
    assert near_duplicate_pairs({"a": text, "b": repost})
    assert containment(shingles(text[: len(text) // 2 + 20]), shingles(repost)) >= NEAR_DUPLICATE
    assert not near_duplicate_pairs(
        {
            "a": "全市刑事案件同比下降12.5%,破案率上升3个百分点。",
            "b": "全省交通事故死亡人数同比下降8.1%,受伤人数下降4%。",
        }
    )


def test_no_two_reports_are_near_duplicates():
    texts = {r["doc_id"]: load(r["doc_id"])["text"] for r in ROWS}
    assert near_duplicate_pairs(texts) == []


def containment(a: set[str], b: set[str]) -> float:
    """share of the smaller shingle set found in the other: an excerpt of a longer copy scores 1"""
    return len(a & b) / min(len(a), len(b))


def test_no_excerpt_is_cut_from_another_report():
    sets = {r["doc_id"]: shingles(load(r["doc_id"])["text"]) for r in ROWS}
    pairs = [(a, b) for a, b in combinations(sets, 2) if containment(sets[a], sets[b]) >= NEAR_DUPLICATE]
    assert pairs == []


ANNOTATED = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "data" / "corpus").rglob("*.json")}


def test_no_report_repeats_an_annotated_one():
    """data/corpus is the ground truth; a release it holds is not shipped a second time here"""
    assert ANNOTATED
    annotated_sources = {d["source"] for d in ANNOTATED.values()}
    assert [r["doc_id"] for r in ROWS if r["source"] in annotated_sources] == []
    annotated = {k: shingles(d["text"]) for k, d in ANNOTATED.items()}
    repeats = []
    for r in ROWS:
        mine = shingles(load(r["doc_id"])["text"])
        repeats += [(r["doc_id"], k) for k, s in annotated.items() if containment(mine, s) >= NEAR_DUPLICATE]
    assert repeats == []


def claimed(name: str) -> int:
    """a count the data card states, as `<!-- name: N -->`"""
    m = re.search(rf"<!-- {name}: (\d+) -->", CARD.read_text(encoding="utf-8"))
    assert m, f"data/README.md states no {name}"
    return int(m.group(1))


def test_the_data_card_states_the_coverage_the_manifest_holds():
    counts = coverage.counts(ROWS)
    for name in ("reports", "provinces", "series_3y", "national_years"):
        assert counts[name] == claimed(name), name


def test_the_data_card_table_is_the_generated_one():
    assert coverage.table(ROWS) in CARD.read_text(encoding="utf-8")


def test_parquet_and_csv_exports_carry_the_data_card_version(tmp_path):
    """`export -o x.parquet` names the dataset version of the data card in the file's metadata, `-o x.csv`
    in the sidecar x.csv-metadata.json."""
    import pyarrow.parquet as pq

    from metrics.store.exports import DATASET_VERSION, table_writer, write_table

    card = (ROOT / "data" / "README.md").read_text(encoding="utf-8").splitlines()[0]
    assert f"version {DATASET_VERSION}" in card
    frame = __import__("pandas").DataFrame({"value": [1.0], "metric": ["刑事打处"]})
    write_table(frame, tmp_path / "a.parquet")
    with table_writer(tmp_path / "b.parquet", frame.iloc[:0]) as write:
        write(frame)
    for name in ("a.parquet", "b.parquet"):
        meta = pq.read_schema(tmp_path / name).metadata
        assert meta[b"metrics.dataset_version"] == DATASET_VERSION.encode()
    write_table(frame, tmp_path / "c.csv")
    sidecar = __import__("json").loads((tmp_path / "c.csv-metadata.json").read_text(encoding="utf-8"))
    assert sidecar["schema:version"] == DATASET_VERSION
