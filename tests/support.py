"""Helpers shared by the tests: shipped reports, government-page HTML, generated corpora, and the store
the dashboard tests run on.

That store is built from the annotated corpus with the extractor swapped, while it is built, for one that
returns each report's human annotations (SCHEMA.md), so the dashboard tests do not depend on the
extractor's output and the store holds real reports with realistic, varied statistics. One extra report
carries hostile text (a <script> tag, an onerror image, formula-looking cells) to show nothing from a
report runs or leaks.
"""

from __future__ import annotations

import contextlib
import html
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from metrics import store
from metrics.record import Record
from metrics.store import pool
from metrics.store.database import open_store

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus" / "dev"
_SOURCE_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


def shipped_report(doc_id: str) -> dict:
    """One annotated report of data/corpus as a dict (doc_id, source, published, region, text...)."""
    return json.loads((CORPUS / f"{doc_id}.json").read_text(encoding="utf-8"))


def shipped_texts() -> list[str]:
    return [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted(CORPUS.glob("*.json"))]


def article_lines(text: str) -> list[str]:
    """The report's lines as a browser shows them inside <p> elements (source whitespace collapsed)."""
    lines = (_SOURCE_WHITESPACE.sub(" ", line).strip(" ") for line in text.splitlines())
    return [line for line in lines if line]


def gov_page(
    text: str,
    *,
    charset: str | None,
    title: str = "公安局通报",
    published: str = "2025-01-10",
    url: str = "https://gaj.example.gov.cn/art/2025/1/10/art_1.html",
    traditional: bool = False,
) -> str:
    """A realistic county-government news page around ``text``: nav, scripts, comments, footer.

    With ``traditional`` the page furniture is in traditional characters (for Big5 pages); the article
    is always kept exactly as given.
    """
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    paragraphs = "\n".join(f'<p style="text-indent:2em">{html.escape(line)}</p>' for line in article_lines(text))
    page = f"""<!DOCTYPE html>
<html><head>{meta}
<title>{html.escape(title)}</title>
<meta name="PubDate" content="{published} 10:30">
<link rel="canonical" href="{url}">
<style>.nav{{color:red}} /* 刑事打处555人 */</style>
<script>var hits = "逮捕777人"; document.write('<p>刑拘666人</p>');</script>
</head><body>
<div class="top-nav"><a href="/">首页</a> | <a href="/zwgk">政务公开</a> | 访问量:123456次</div>
<div id="breadcrumb">当前位置:首页 &gt; 警务动态 &gt; 正文</div>
<!-- 旧版统计:破案999起 -->
<div class="article-content">
  <h1>{html.escape(title)}</h1>
  <div class="info">发布时间:{published.replace("-", "年", 1).replace("-", "月", 1)}日 来源:县公安局</div>
@@ARTICLE@@
</div>
<div class="footer">
  <p>主办:县人民政府办公室 电话:0571-87654321 地址:灵溪镇建设路100号</p>
  <p>浙ICP备05012345号-1 浙公网安备 33032702000123号 网站标识码3303270001 &copy;2024 版权所有</p>
</div>
<script>_hmt.push(['_trackPageview', '88888人']);</script>
</body></html>"""
    if traditional:
        from opencc import OpenCC

        page = OpenCC("s2t").convert(page)
    return page.replace("@@ARTICLE@@", paragraphs)


def grounded_rows(frame: pd.DataFrame, text: str) -> bool:
    """True when text[start:end] == surface on every row."""
    return all(text[s:e] == surf for s, e, surf in zip(frame["start"], frame["end"], frame["surface"]))


def varied_digits(text: str, rng: random.Random) -> str:
    """The text with every digit replaced at random (keeps the length, so offsets keep their meaning)."""
    return re.sub(r"\d", lambda _m: str(rng.randint(0, 9)), text)


def write_reports(directory: Path, count: int, *, seed: int = 7) -> list[Path]:
    """``count`` .txt reports under ``directory`` from the shipped texts with varied digits (UTF-8 / GBK)."""
    rng = random.Random(seed)
    texts = shipped_texts()
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        text = varied_digits(texts[i % len(texts)], rng)
        path = directory / f"report-{i:05d}.txt"
        encoding = "gb18030" if i % 3 == 0 else "utf-8"
        path.write_bytes(
            text.encode(encoding, errors="replace" if encoding == "utf-8" else "strict")
            if encodable(text, encoding)
            else text.encode("utf-8")
        )
        paths.append(path)
    return paths


def encodable(text: str, encoding: str) -> bool:
    """Can ``text`` be written in ``encoding`` without loss?"""
    try:
        text.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def snapshot(db: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Documents (without ingest time) and statistics of a store, sorted, for comparing two stores."""
    with open_store(db) as con:
        docs = con.execute(
            "SELECT doc_id, path, content_hash, region, published, title, text FROM documents ORDER BY doc_id"
        ).df()
        stats = con.execute("SELECT * FROM statistics ORDER BY stat_id").df()
    return docs, stats


def assert_same_store(a: Path, b: Path) -> None:
    for left, right in zip(snapshot(a), snapshot(b)):
        pd.testing.assert_frame_equal(left, right)


# ---------------------------------------------------------------- the dashboard tests' store

SENTENCE_END = re.compile(r"[。！？!?\n]")
# Reports about part of a year, by a marker in their doc_id → the period label's suffix.
PARTIAL_MARKERS = {
    "-q1": "Q1",
    "-h1": "H1",
    "jan-nov": "01/{year}-11",
    "jan-sep": "01/{year}-09",
    "jan-jul": "01/{year}-07",
}

# The unit families of the units the corpus uses most (metrics/patterns/unit_norm.yaml has them all).
UNIT_FAMILIES = {
    "人": "persons",
    "名": "persons",
    "人次": "person_times",
    "起": "cases",
    "件": "cases",
    "宗": "cases",
    "元": "yuan",
    "%": "percent",
    "公斤": "kg",
    "千克": "kg",
    "次": "times_done",
    "个": "items",
}

HOSTILE_DOC = {
    "doc_id": "hostile-2024",
    "source": "https://example.invalid/<script>alert('src')</script>",
    "published": "2025-01-05",
    "region": "测试县",
    "region_code": "",
    "text": (
        "测试县公安局2024年工作通报<script>window.__pwned = 1; alert('xss')</script>"
        '<img src=x onerror="window.__pwned = 2">全年查处赌博案件77起，同比上升10%。'
    ),
}
HOSTILE_METRICS = [
    {
        "surface": "77起",
        "metric": '=HYPERLINK("http://evil.invalid","点我")',
        "category": "vice",
        "kind": "count",
        "value": 77,
        "unit": "起",
        "qualifier": "exact",
        "direction": None,
        "basis": None,
        "period": 2024,
        "measure": "solved",
        "scope": "area",
        "period_label": "2024",
    },
    {
        "surface": "10%",
        "metric": '=HYPERLINK("http://evil.invalid","点我")',
        "category": "vice",
        "kind": "change_pct",
        "value": 10,
        "unit": "%",
        "qualifier": "exact",
        "direction": "up",
        "basis": "yoy",
        "period": 2024,
        "measure": "solved",
        "scope": "area",
        "period_label": "2024",
    },
]


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` that holds text[start:end]."""
    begin = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    after = SENTENCE_END.search(text, end)
    return text[begin : after.end() if after else len(text)].strip()


def partial_label(doc_id: str, period: int | None) -> str | None:
    """The partial-period label a report's figures get (2023-Q1...), or None for whole years."""
    for marker, suffix in PARTIAL_MARKERS.items():
        if marker in doc_id and period is not None:
            return f"{period}-" + suffix.format(year=period)
    return None


def annotated_records(doc: dict, annotations: list[dict]) -> list[Record]:
    """The human annotations of one report as Records (what a perfect extractor would return)."""
    records = []
    text = doc["text"]
    for item in annotations:
        start = item["start"] if "start" in item else text.index(item["surface"])
        end = start + len(item["surface"])
        records.append(
            Record(
                doc_id=doc["doc_id"],
                region=doc["region"],
                published=doc["published"],
                metric=item["metric"],
                category=item["category"],
                kind=item["kind"],
                value=float(item["value"]),
                unit=item["unit"],
                qualifier=item["qualifier"],
                direction=item["direction"],
                basis=item["basis"],
                period=item["period"],
                surface=item["surface"],
                start=start,
                end=end,
                sentence=sentence_around(text, start, end),
                period_label=item["period_label"]
                if "period_label" in item
                else partial_label(doc["doc_id"], item["period"]),
                measure=item.get("measure", "other"),
                scope=item.get("scope", "area"),
                region_code=doc.get("region_code") or "",
                province=(doc.get("region_code") or "")[:2] + "0000" if doc.get("region_code") else "",
                unit_norm=UNIT_FAMILIES.get(item["unit"], item["unit"] or ""),
            )
        )
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
    """Within the block, the extractor the store calls (metrics.store.pool.extract_parts) returns the
    annotations of the report with that doc_id."""
    by_id = {doc["doc_id"]: annotated_records(doc, notes) for doc, notes in reports}
    original = pool.extract_parts

    def extract_parts(text: str, *, published=None, region=None, doc_id=None, **_) -> Iterator[list[Record]]:
        yield by_id.get(doc_id, [])

    pool.extract_parts = extract_parts
    try:
        yield
    finally:
        pool.extract_parts = original


def build_annotated_store(db: Path) -> int:
    """Build a store at ``db`` from the annotated corpus (in this process); the number of statistics."""
    reports = corpus_reports()
    total = 0
    with annotations_as_extractor(reports):
        for doc, _ in reports:
            # as a JSON document, as the shipped reports are read: its source address is kept
            payload = json.dumps({k: v for k, v in doc.items() if k != "metrics"}, ensure_ascii=False)
            summary = store.ingest_bytes(
                f"{doc['doc_id']}.json",
                payload.encode("utf-8"),
                db=db,
                region=doc["region"],
                published=doc["published"],
            )
            total += summary.statistics
    return total
