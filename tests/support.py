"""Shared helpers for the reader and store tests: shipped reports, government-page HTML, generated corpora."""

from __future__ import annotations

import html
import json
import random
import re
from pathlib import Path

import pandas as pd

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


def gov_page(text: str, *, charset: str | None, title: str = "公安局通报", published: str = "2025-01-10",
             url: str = "https://gaj.example.gov.cn/art/2025/1/10/art_1.html", traditional: bool = False) -> str:
    """A realistic county-government news page around ``text``: nav, scripts, comments, footer.

    With ``traditional`` the page furniture is in traditional characters (for Big5 pages); the article
    is always kept exactly as given.
    """
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    paragraphs = "\n".join(f"<p style=\"text-indent:2em\">{html.escape(line)}</p>" for line in article_lines(text))
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
  <div class="info">发布时间:{published.replace('-', '年', 1).replace('-', '月', 1)}日 来源:县公安局</div>
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
        path.write_bytes(text.encode(encoding, errors="replace" if encoding == "utf-8" else "strict")
                         if encodable(text, encoding) else text.encode("utf-8"))
        paths.append(path)
    return paths


def encodable(text: str, encoding: str) -> bool:
    """Can ``text`` be written in ``encoding`` without loss?"""
    try:
        text.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False
