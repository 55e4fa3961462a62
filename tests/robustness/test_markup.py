"""Markup: deep nesting, entity bombs, external entities and active content around statistics.

Pages are read with metrics.sources.files (lexbor's HTML parser: no DTD processing, no network, no file
access) in a child process under a time and memory bound; the table cells that come out must hold the
statistics and no tag, attribute, script or javascript: address. Report text that *spells* markup is
data: the dashboard escapes it (metrics.views.text.document_html).
"""

from __future__ import annotations

import json
import socket
import threading

import pandas as pd
import pytest

from harness import run_cli, run_python
from metrics import extract
from metrics.sources.files import document_from_bytes
from metrics.views.text import document_html

STAT = "全年破获刑事案件2129起,同比上升7.8%。"

CHILD = """
import json, sys
from metrics import extract
from metrics.sources.files import document_from_bytes
page = {page}
doc = document_from_bytes(page.encode("utf-8"), name="page.html")
rows = extract(doc.text)
print(json.dumps({{"text_len": len(doc.text), "values": [r.value for r in rows], "text_head": doc.text[:200]}}))
"""


@pytest.mark.timeout(180)
@pytest.mark.parametrize("tag, depth", [("div", 5_000), ("span", 5_000), ("b", 100_000), ("table", 5_000)])
def test_deeply_nested_html_is_read_in_bounded_time_and_memory(tag, depth):
    page = f"'<html><body>' + '<{tag}>' * {depth} + {STAT!r} + '</{tag}>' * {depth} + '</body></html>'"
    run = run_python(CHILD.format(page=page), timeout=120, max_mb=1500)
    result = json.loads(run.stdout)
    assert result["values"] == [2129.0, 7.8]


BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n<html><body><p>&lol9;"
    + STAT
    + "</p></body></html>"
)


def test_an_entity_bomb_is_never_expanded():
    run = run_python(CHILD.format(page=repr(BOMB)), timeout=60, max_mb=800)
    result = json.loads(run.stdout)
    assert result["values"] == [2129.0, 7.8]
    assert result["text_len"] < 1000  # a billion "lol" would be 3 GB
    assert "lollol" not in result["text_head"]


@pytest.fixture
def listener():
    """A local TCP server that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    connected, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            connected.append(True)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], connected
    stop.set()
    thread.join()
    server.close()


def test_external_entities_and_addresses_are_never_resolved(tmp_path, listener):
    port, connected = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-TOKEN-4711", encoding="utf-8")
    url = f"http://127.0.0.1:{port}"
    page = (
        f'<?xml version="1.0"?><!DOCTYPE html SYSTEM "{url}/dtd" [<!ENTITY file SYSTEM "file://{secret}">'
        f'<!ENTITY net SYSTEM "{url}/entity"><!ENTITY % pe SYSTEM "{url}/pe"> %pe;]>'
        f'<html><head><link rel="stylesheet" href="{url}/css"><script src="{url}/js"></script></head>'
        f'<body><img src="{url}/img"><iframe src="{url}/frame"></iframe>'
        f'<p>&file;&net;{STAT}</p><object data="{url}/obj"></object></body></html>'
    )
    path = tmp_path / "xxe.html"
    path.write_text(page, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = run_cli("extract", str(path), "-o", str(out), timeout=60, max_mb=800)
    assert run.returncode == 0, run.stderr
    cells = out.read_text(encoding="utf-8")
    assert "SECRET-TOKEN" not in cells and "127.0.0.1" not in cells
    assert [json.loads(line)["value"] for line in cells.splitlines()] == [2129.0, 7.8]
    doc = document_from_bytes(page.encode(), name="xxe.html")
    assert "SECRET-TOKEN" not in doc.text
    assert not connected, "the reader connected to an address named in the page"


ACTIVE = [
    ('<script>alert("x")</script>', "script element"),
    ('<img src=x onerror="alert(1)">', "onerror attribute"),
    ('<a href="javascript:alert(2)">{stat}</a>', "javascript: link around the statistic"),
    ('<p onclick="alert(3)" style="x:expression(alert(4))">{stat}</p>', "event and style attributes"),
    ('<svg onload="alert(5)"><script>alert(6)</script></svg>', "svg onload"),
    ('<iframe srcdoc="&lt;script&gt;alert(7)&lt;/script&gt;"></iframe>', "iframe srcdoc"),
    ("<noscript><img src=x onerror=alert(8)></noscript><template><script>alert(9)</script></template>", "noscript"),
    ('<style>body{{background:url("javascript:alert(10)")}}</style>', "style element"),
    ("<math><mtext><script>alert(11)</script></mtext></math>", "math"),
    ('<form action="javascript:alert(12)"><button formaction="javascript:alert(13)">x</button></form>', "form"),
]
FORBIDDEN = ("<", ">", "alert", "javascript:", "onerror", "onload", "onclick", "expression(")


@pytest.mark.parametrize("snippet", [a for a, _ in ACTIVE], ids=[b for _, b in ACTIVE])
def test_active_content_next_to_statistics_never_reaches_a_cell(tmp_path, snippet):
    if "{stat}" in snippet:
        paragraph = snippet.format(stat=STAT)
    else:  # inside the statistic's own sentence
        paragraph = f"<p>全年破获刑事{snippet}案件2129起,同比上升7.8%。</p>"
    page = f"<html><body><div>{paragraph}</div></body></html>"
    path = tmp_path / "active.html"
    path.write_text(page, encoding="utf-8")
    text = document_from_bytes(page.encode(), name="active.html").text
    assert not any(f in text for f in FORBIDDEN), text  # the document text the store keeps
    out = tmp_path / "out.jsonl"
    run = run_cli("extract", str(path), "-o", str(out), timeout=60, max_mb=800)
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["value"] for r in rows] == [2129.0, 7.8]
    for row in rows:
        for column, cell in row.items():
            if isinstance(cell, str):
                assert not any(f in cell for f in FORBIDDEN), (column, cell)


def test_report_text_that_spells_markup_is_escaped_in_the_dashboard():
    text = "<script>alert(1)</script><img src=x onerror=alert(2)>" + STAT
    rows = extract(text)
    spans = pd.DataFrame(
        {"start": [r.start for r in rows], "end": [r.end for r in rows], "category": [r.category for r in rows]}
    )
    html = document_html(text, spans, {"criminal": "#f00"}, {"criminal": "刑事"}, selected_start=None)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "<mark" in html
