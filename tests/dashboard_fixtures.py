"""A store for the dashboard tests, built through metrics.store.database from the annotated corpus.

The annotations carry the comparable fields (SCHEMA v2: measure, scope, period_label per statistic,
region_code per document); province is the code's province and unit_norm a small table of unit families.
The extractor is being rewritten, so the dashboard tests do not depend on its output: while the store is
built, ``metrics.extraction.pipeline`` is swapped for one that returns each report's human annotations (SCHEMA.md),
so the store holds real reports with realistic, varied statistics. One extra report carries hostile text
(a <script> tag, an onerror image, formula-looking cells) to show nothing from a report runs or leaks.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from pathlib import Path

import metrics
from metrics.store import database as store
from metrics.record import Record

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus" / "dev"
SENTENCE_END = re.compile(r"[。！？!?\n]")
# The unit families of the units the corpus uses most (metrics/patterns/unit_norm.yaml on the measures branch).
UNIT_FAMILIES = {"人": "persons", "名": "persons", "人次": "person_times", "起": "cases", "件": "cases", "宗": "cases",
                 "元": "yuan", "%": "percent", "公斤": "kg", "千克": "kg", "次": "times_done", "个": "items"}

HOSTILE_DOC = {
    "doc_id": "hostile-2024",
    "source": "https://example.invalid/<script>alert('src')</script>",
    "published": "2025-01-05",
    "region": "测试县", "region_code": "",
    "text": ("测试县公安局2024年工作通报<script>window.__pwned = 1; alert('xss')</script>"
             "<img src=x onerror=\"window.__pwned = 2\">全年查处赌博案件77起，同比上升10%。"),
}
HOSTILE_METRICS = [
    {"surface": "77起", "metric": '=HYPERLINK("http://evil.invalid","点我")', "category": "vice", "kind": "count",
     "value": 77, "unit": "起", "qualifier": "exact", "direction": None, "basis": None, "period": 2024,
     "measure": "solved", "scope": "area", "period_label": "2024"},
    {"surface": "10%", "metric": '=HYPERLINK("http://evil.invalid","点我")', "category": "vice", "kind": "change_pct",
     "value": 10, "unit": "%", "qualifier": "exact", "direction": "up", "basis": "yoy", "period": 2024,
     "measure": "solved", "scope": "area", "period_label": "2024"},
]


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` that holds text[start:end]."""
    begin = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    after = SENTENCE_END.search(text, end)
    return text[begin:after.end() if after else len(text)].strip()




def annotated_records(doc: dict, annotations: list[dict]) -> list[Record]:
    """The human annotations of one report as Records (what a perfect extractor would return)."""
    records = []
    text = doc["text"]
    for item in annotations:
        start = item["start"] if "start" in item else text.index(item["surface"])
        end = start + len(item["surface"])
        records.append(Record(
            doc_id=doc["doc_id"], region=doc["region"], published=doc["published"], metric=item["metric"],
            category=item["category"], kind=item["kind"], value=float(item["value"]), unit=item["unit"],
            qualifier=item["qualifier"], direction=item["direction"], basis=item["basis"], period=item["period"],
            surface=item["surface"], start=start, end=end, sentence=sentence_around(text, start, end),
            period_label=item.get("period_label"), measure=item.get("measure", "other"),
            scope=item.get("scope", "area"), region_code=doc.get("region_code") or "",
            province=(doc.get("region_code") or "")[:2] + "0000" if doc.get("region_code") else "",
            unit_norm=UNIT_FAMILIES.get(item["unit"], item["unit"] or "")))
    return records


def corpus_reports() -> list[tuple[dict, list[dict]]]:
    """(document, annotations) for every shipped report, plus the hostile one."""
    reports = []
    for path in sorted(CORPUS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        reports.append((doc, doc["metrics"]))
    reports.append((HOSTILE_DOC, HOSTILE_METRICS))
    return reports


@contextlib.contextmanager
def annotations_as_extractor(reports: list[tuple[dict, list[dict]]]):
    """Within the block, the extractor (metrics.extraction.pipeline, and extract_parts that the store calls) returns
    the annotations of the report with that doc_id."""
    by_id = {doc["doc_id"]: annotated_records(doc, notes) for doc, notes in reports}
    module = sys.modules["metrics.extraction.pipeline"]
    original, original_parts = metrics.extraction.pipeline, module.extract_parts

    def extract(text: str, *, published=None, region=None, doc_id=None) -> list[Record]:
        return by_id.get(doc_id, [])

    def extract_parts(text: str, *, published=None, region=None, doc_id=None, **_):
        yield extract(text, published=published, region=region, doc_id=doc_id)

    metrics.extraction.pipeline, module.extract_parts = extract, extract_parts
    try:
        yield
    finally:
        metrics.extraction.pipeline, module.extract_parts = original, original_parts


def build_annotated_store(db: Path) -> int:
    """Build a store at ``db`` from the annotated corpus (in this process); the number of statistics."""
    reports = corpus_reports()
    total = 0
    with annotations_as_extractor(reports):
        for doc, _ in reports:
            # as a JSON document, as the shipped reports are read: its source address is kept
            payload = json.dumps({k: v for k, v in doc.items() if k != "metrics"}, ensure_ascii=False)
            summary = store.ingest_bytes(f"{doc['doc_id']}.json", payload.encode("utf-8"), db=db,
                                         region=doc["region"], published=doc["published"])
            total += summary.statistics
    return total
