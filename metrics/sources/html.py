"""A saved web page's visible article text and the metadata in its head (selectolax's lexbor parser).

Word lists (tags to drop, class names of page furniture) live in metrics/patterns/reader_html.yaml.
"""

from __future__ import annotations

import regex
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from metrics.rules import load

_BLOCK_MARK = "\ue000"  # private-use character: marks the end of a block element
_CELL_MARK = "\ue001"  # private-use character: marks the end of a table cell in a data row


def _boilerplate_markers() -> tuple[str, ...]:
    return tuple(m.lower() for m in load("reader_html")["boilerplate_markers"])


_CLASS_TOKEN = regex.compile(r"[\s_\-]+")


def is_boilerplate(attributes: dict) -> bool:
    """True when an element's class or id names page furniture (nav-bar, footer, breadcrumb...)."""
    words = f"{attributes.get('class') or ''} {attributes.get('id') or ''}".lower()
    tokens = [t for t in _CLASS_TOKEN.split(words) if t]
    return any(token.startswith(_boilerplate_markers()) for token in tokens)


def html_to_text(tree: LexborHTMLParser, *, drop_boilerplate: bool) -> str:
    """The visible text of a page, one line per block element; scripts, styles and comments dropped.

    With ``drop_boilerplate`` also navigation, header, footer and elements whose class or id marks them
    as page furniture. The tree is copied, never changed. Entities are decoded by the parser; no
    external entity, file or network address is ever resolved.
    """
    try:
        tree = tree.clone()
    except SelectolaxError:  # lexbor cannot copy a page whose DOCTYPE has a system id alone
        tree = LexborHTMLParser(tree.root.html if tree.root is not None else "")  # a fresh copy, doctype left out
    config = load("reader_html")
    always = ["script", "style", "noscript", "template", "head", "svg", "canvas", "object", "embed", "iframe"]
    tree.strip_tags(config["drop_tags"] if drop_boilerplate else always)
    root = tree.body or tree.root
    if root is None:
        return ""
    if drop_boilerplate:
        furniture = [
            node
            for node in root.traverse(include_text=False)
            if node.is_element_node and node is not root and is_boilerplate(node.attributes)
        ]
        for node in furniture:
            try:
                node.decompose()
            except Exception:  # noqa: BLE001 - already removed with its ancestor
                pass
    in_cells = mark_table_cells(root, config)
    for node in root.css(",".join(config["block_tags"])):
        if node.mem_id not in in_cells:
            node.insert_after(_BLOCK_MARK)
    return join_blocks(root.text(separator="", deep=True))


def mark_table_cells(root, config: dict) -> set[int]:
    """Put a cell mark after each cell of a data row (a ``<tr>`` of two or more cells, none holding a table
    or more than one block): such a row becomes one line, its cells separated by a tab. Returns the ids of
    the cells and of the blocks inside them, which must not end a line. Layout tables are left alone.
    """
    all_blocks = ",".join(config["block_tags"])
    blocks = ",".join(tag for tag in config["block_tags"] if tag not in ("br", "td", "th"))
    quiet: set[int] = set()
    for row in root.css("tr"):
        cells = [child for child in row.iter() if child.tag in ("td", "th")]
        if len(cells) < 2 or any(cell.css_first("table") is not None or len(cell.css(blocks)) > 1 for cell in cells):
            continue
        row.insert_before(_BLOCK_MARK)
        for cell in cells:
            quiet.add(cell.mem_id)
            quiet.update(inner.mem_id for inner in cell.css(all_blocks))
            cell.insert_after(_CELL_MARK)
    return quiet


_SOURCE_WHITESPACE = regex.compile(r"[ \t\n\r\f\v]+")  # not \xa0 nor \u3000: those are written on purpose


def join_blocks(raw_text: str) -> str:
    """Collapse source-formatting whitespace like a browser and put each block on its own line."""
    lines = (
        join_cells(block) if _CELL_MARK in block else _SOURCE_WHITESPACE.sub(" ", block).strip(" ")
        for block in raw_text.split(_BLOCK_MARK)
    )
    return "\n".join(line for line in lines if line)


def join_cells(row: str) -> str:
    """A table row's text, its cells (ended by cell marks) separated by a tab; empty cells kept in place."""
    *cells, tail = row.split(_CELL_MARK)
    cells = [_SOURCE_WHITESPACE.sub(" ", cell).strip() for cell in cells]
    if tail.strip():
        cells.append(_SOURCE_WHITESPACE.sub(" ", tail).strip())
    return "\t".join(cells) if any(cells) else ""


def meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    """<meta name|property|itemprop=... content=...> as a lower-cased name → content mapping (first wins)."""
    found: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        key = attrs.get("name") or attrs.get("property") or attrs.get("itemprop")
        if key and attrs.get("content"):
            found.setdefault(key.strip().lower(), attrs["content"].strip())
    return found


def page_title(tree: LexborHTMLParser, meta: dict[str, str]) -> str | None:
    """The page's <title>, else its title meta tag, else its first <h1>."""
    node = tree.css_first("title")
    if node is not None and node.text(strip=True):
        return node.text(strip=True)
    for key in load("reader_metadata")["title_meta"]:
        if meta.get(key):
            return meta[key]
    heading = tree.css_first("h1")
    return heading.text(strip=True) or None if heading is not None else None


def page_source(tree: LexborHTMLParser, meta: dict[str, str]) -> str | None:
    """The page's own address: <link rel=canonical>, else og:url and similar meta tags."""
    node = tree.css_first('link[rel="canonical"]')
    if node is not None and node.attributes.get("href"):
        return node.attributes["href"].strip()
    return next((meta[k] for k in load("reader_metadata")["source_meta"] if meta.get(k)), None)
