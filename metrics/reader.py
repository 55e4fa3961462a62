"""Reading report files into Documents: text, web pages and annotated JSON, in any common Chinese encoding.

Stages, each a small function: find files (``iter_files``) → check the file is a regular, readable file
(``check_readable``, before opening, so a FIFO never blocks) → decode the bytes (``decode_bytes``) →
take the visible article text out of a web page (``html_to_text``) → find metadata (title, date, source,
region). Offsets of the statistics later index ``Document.text``, the decoded text the store keeps.
Word lists live in ``metrics/patterns/reader_*.yaml``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex
import yaml
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from metrics.errors import InputError, UsageError

SUFFIXES = (".txt", ".html", ".htm", ".json", ".pdf", ".docx")
HTML_SUFFIXES = (".html", ".htm")
MAX_BYTES = 200 * 1024 * 1024          # a larger "report" is refused rather than read into memory
_PATTERNS = Path(__file__).parent / "patterns"
_BLOCK_MARK = "\ue000"                 # private-use character: marks the end of a block element
_CELL_MARK = "\ue001"                  # private-use character: marks the end of a table cell in a data row


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str                 # file name without extension (or the JSON's own doc_id)
    path: str                   # where it was read from
    text: str                   # the decoded text that offsets index
    content_hash: str           # sha256 of the raw bytes
    title: str | None = None
    published: str | None = None  # ISO date found in the document's metadata
    region: str | None = None
    source: str | None = None   # source address found in the document
    encoding: str = "utf-8"


@lru_cache(maxsize=None)
def load_patterns(name: str) -> dict:
    """One ``metrics/patterns/reader_<name>.yaml`` file; fails loudly when it is missing or malformed."""
    data = yaml.safe_load((_PATTERNS / f"reader_{name}.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"metrics/patterns/reader_{name}.yaml: expected a mapping")
    return data


# ---------------------------------------------------------------------------------------------- files

def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and report files inside directories named (recursively, sorted, symlink loops safe).

    Every path named must exist (a broken symlink counts as existing: it is reported when read);
    all are checked before the first file is yielded, so a typo never leaves half a job done.
    """
    paths = [Path(raw) for raw in paths]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"no such file or directory: {path}")
    for path in paths:
        if path.is_dir():
            yield from _walk_directory(path)
        else:
            yield path


def _walk_directory(root: Path) -> Iterator[Path]:
    """Report files under ``root``, following directory links but never entering one directory twice."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            info = directory.stat()
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            entries = sorted(directory.iterdir())
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            if entry.is_dir():
                subdirs.append(entry)
            elif entry.suffix.lower() in SUFFIXES:
                yield entry          # FIFOs and broken links too: read_document names them
        stack.extend(reversed(subdirs))


def check_readable(path: Path) -> os.stat_result:
    """The file's stat, or InputError when it is not a regular file we can read (checked before opening)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        reason = "broken link" if path.is_symlink() else "no such file"
        raise InputError(str(path), reason) from None
    except OSError as exc:
        reason = "symlink loop" if exc.errno == 40 else (exc.strerror or str(exc))
        raise InputError(str(path), reason) from None
    if stat.S_ISFIFO(info.st_mode):
        raise InputError(str(path), "a FIFO (named pipe), not a file")
    if stat.S_ISDIR(info.st_mode):
        raise InputError(str(path), "a directory")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(str(path), "not a regular file")
    if info.st_size > MAX_BYTES:
        raise InputError(str(path), f"too large ({info.st_size} bytes, limit {MAX_BYTES})")
    return info


def read_document(path: Path) -> Document:
    """One file as a Document; InputError when it cannot be read as a report."""
    path = Path(path)
    check_readable(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(str(path), f"unreadable: {exc.strerror or exc}") from None
    return document_from_bytes(raw, name=path.name, path=str(path))


def read_documents(paths: Iterable[str | Path]) -> Iterator[Document | InputError]:
    """Every document under ``paths``, or the InputError of one that could not be read."""
    for path in iter_files(paths):
        try:
            document = read_document(path)
        except InputError as exc:
            document = InputError(name_as_text(exc.path), exc.reason)
        except Exception as exc:  # noqa: BLE001 - a parser bug on one odd file must not end the whole run
            document = InputError(name_as_text(str(path)), f"unreadable: {type(exc).__name__}: {exc}")
        yield document


# ------------------------------------------------------------------------------------------ documents

_SURROGATE = regex.compile(r"[\ud800-\udfff]")


def name_as_text(name: str) -> str:
    """A file name as printable UTF-8 text: bytes that are not UTF-8 (kept by Python as lone surrogates,
    which no encoder accepts) become U+FFFD.

    >>> name_as_text(os.fsdecode(b"bad\\xff.txt")) == "bad\\ufffd.txt"
    True
    """
    return os.fsencode(name).decode("utf-8", errors="replace") if _SURROGATE.search(name) else name


def document_from_bytes(raw: bytes, *, name: str, path: str | None = None) -> Document:
    """The Document held in ``raw``, a file called ``name`` (its extension tells the format)."""
    path = name_as_text(path or name)   # as text: a store or a table can hold it whatever the name's bytes
    name = name_as_text(name)
    suffix = Path(name).suffix.lower()
    content_hash = hashlib.sha256(raw).hexdigest()
    # --- PDF and Word hook: their text (tables as tab-separated rows) read by metrics/pdf_text.py, docx_text.py
    if suffix in (".pdf", ".docx"):
        return _office_document(raw, suffix=suffix, path=path, stem=Path(name).stem, content_hash=content_hash)
    # --- end of the PDF and Word hook
    if suffix == ".json":
        return _json_document(raw, path=path, stem=Path(name).stem, content_hash=content_hash)
    text, encoding = decode_bytes(raw, path=path, html=suffix in HTML_SUFFIXES)
    if suffix in HTML_SUFFIXES or (suffix not in (".txt",) and looks_like_html(text)):
        return _html_document(text, path=path, stem=Path(name).stem, content_hash=content_hash,
                              encoding=encoding)
    return Document(doc_id=Path(name).stem, path=path, text=text, content_hash=content_hash,
                    title=guess_text_title(text), published=find_date_in_text(text),
                    region=guess_region(text), source=find_source_in_text(text), encoding=encoding)


def looks_like_html(text: str) -> bool:
    """True when text (of a file without a telling extension) starts like a web page."""
    head = text[:512].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head


def _json_document(raw: bytes, *, path: str, stem: str, content_hash: str) -> Document:
    """A report in the annotated corpus format (SCHEMA.md): doc_id, source, published, region, text."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise InputError(path, "JSON without a 'text' field (expected the corpus format of SCHEMA.md)")

    def field(key: str) -> str | None:
        value = data.get(key)
        return str(value) if value not in (None, "") else None

    text = data["text"]
    return Document(doc_id=field("doc_id") or stem, path=path, text=text, content_hash=content_hash,
                    title=field("title") or guess_text_title(text),
                    published=normalise_date(field("published") or "") or find_date_in_text(text),
                    region=field("region") or guess_region(text), source=field("source"),
                    encoding="utf-8")


def _office_document(raw: bytes, *, suffix: str, path: str, stem: str, content_hash: str) -> Document:
    """A PDF or Word file: the text its library reader gives; metadata found in that text."""
    # imported here: runs on plain text never load the PDF and Word libraries
    from metrics.docx_text import docx_text
    from metrics.pdf_text import pdf_text

    text = pdf_text(raw, path=path) if suffix == ".pdf" else docx_text(raw, path=path)
    return Document(doc_id=stem, path=path, text=text, content_hash=content_hash,
                    title=guess_text_title(text), published=find_date_in_text(text),
                    region=guess_region(text), source=find_source_in_text(text), encoding=suffix[1:])


def _html_document(page: str, *, path: str, stem: str, content_hash: str, encoding: str) -> Document:
    """A saved web page: its visible article text and the metadata in its head."""
    tree = LexborHTMLParser(page)
    meta = meta_tags(tree)
    title = page_title(tree, meta)
    full_text = html_to_text(tree, drop_boilerplate=False)
    text = html_to_text(tree, drop_boilerplate=True) or full_text
    published = first_date(meta.get(k) for k in load_patterns("metadata")["date_meta"]) \
        or find_date_in_text(full_text)
    source = page_source(tree, meta) or find_source_in_text(full_text)
    region = guess_region(f"{title or ''}\n{text}")
    return Document(doc_id=stem, path=path, text=text, content_hash=content_hash, title=title,
                    published=published, region=region, source=source, encoding=encoding)


# ---------------------------------------------------------------------------------------- decoding

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Declared or detected names → the codec that decodes them best (GBK and GB2312 are subsets of GB18030).
_CODEC_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                  "cp936": "gb18030", "hz-gb-2312": "gb18030", "euc-cn": "gb18030",
                  "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cp950": "big5hkscs", "x-big5": "big5hkscs",
                  "utf8": "utf-8", "unicode": "utf-16", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be"}
_DECLARED_CHARSET = regex.compile(rb"""
    (?: <meta [^>]{0,200}? charset \s* = \s* ["']? \s*     # <meta charset="gbk"> or content="...; charset=gbk"
      | <\?xml [^>]{0,100}? encoding \s* = \s* ["'] )      # <?xml version="1.0" encoding="gbk"?>
    (?P<name> [A-Za-z0-9_:.\-]{2,40} )
""", regex.IGNORECASE | regex.VERBOSE)
_TOLERATED_BAD_SHARE = 0.02            # a declared charset giving more decode errors than this is a lie


def codec_for(name: str) -> str | None:
    """The Python codec to use for a declared or detected charset name; None when unknown."""
    name = name.strip().lower()
    name = _CODEC_ALIASES.get(name, name)
    try:
        return _CODEC_ALIASES.get(codecs.lookup(name).name, codecs.lookup(name).name)
    except LookupError:
        return None


def declared_charset(raw: bytes) -> str | None:
    """The charset a web page declares in its first 4 KB (meta charset, http-equiv or XML declaration)."""
    match = _DECLARED_CHARSET.search(raw[:4096])
    return codec_for(match["name"].decode("ascii")) if match else None


def decode_bytes(raw: bytes, *, path: str = "", html: bool = False) -> tuple[str, str]:
    """Decoded text and the codec used: BOM, declared charset, UTF-8, then the best-scoring guess.

    A few invalid bytes become U+FFFD and the rest of the text is kept; binary data is an InputError.
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw.decode(codec, errors="replace"), codec
    if b"\x00" in raw[:8192]:
        raise InputError(path, "binary file (contains NUL bytes)")
    declared = declared_charset(raw) if html or b"<" in raw[:4096] else None
    if declared:
        text = raw.decode(declared, errors="replace")
        if text.count("\ufffd") <= _TOLERATED_BAD_SHARE * max(len(text), 1):
            return text, declared
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if looks_binary(text):   # valid UTF-8 that is mostly control characters: a binary file all the same
            raise InputError(path, "binary file (control characters)")
        return text, "utf-8"
    codec = best_codec(raw)
    if codec is None:
        raise InputError(path, "undecodable: not text in any supported encoding")
    text = raw.decode(codec, errors="replace")
    if looks_binary(text):
        raise InputError(path, "binary file (control characters)")
    return text, codec


def best_codec(raw: bytes) -> str | None:
    """The candidate codec whose decoding reads most like Chinese text (detector's guess included)."""
    candidates = ["utf-8", "gb18030", "big5hkscs"]
    detected = _detector_guess(raw)
    if detected and detected not in candidates:
        candidates.append(detected)
    sample = raw[:65536]
    scored = [(readability(sample.decode(codec, errors="replace")), codec) for codec in candidates]
    score, codec = max(scored, key=lambda pair: pair[0])
    return codec if score > 0.5 else None


def _detector_guess(raw: bytes) -> str | None:
    """charset-normalizer's best guess, as a codec name."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:65536]).best()
    return codec_for(best.encoding) if best is not None else None


def readability(text: str) -> float:
    """Share of characters that are plausible report text: ASCII, punctuation, or frequent Chinese.

    Frequent Chinese means level-1 of GB2312 (3,755 common simplified) or of Big5 (5,401 common
    traditional): the wrong codec turns text into rare characters and U+FFFD, which score zero.
    """
    if not text:
        return 0.0
    good = sum(1 for ch in text if _plausible_char(ch))
    return good / len(text)


@lru_cache(maxsize=65536)
def _plausible_char(ch: str) -> bool:
    if ch == "\ufffd":
        return False
    if ch < "\x80":
        return ch.isprintable() or ch in "\n\r\t"
    if ch in "\xa0\u3000" or "\u2000" <= ch <= "\u206f" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef":
        return True
    try:
        if 0xB0 <= ch.encode("gb2312")[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        encoded = ch.encode("big5")
        return 0xA4 <= encoded[0] <= 0xC6
    except UnicodeEncodeError:
        return False


def looks_binary(text: str) -> bool:
    """True when more than 1% of the first characters are control characters other than whitespace."""
    sample = text[:8192]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\n\r\t\f\v")
    return controls > 0.01 * max(len(sample), 1)


# -------------------------------------------------------------------------------------------- HTML

def _boilerplate_markers() -> tuple[str, ...]:
    return tuple(m.lower() for m in load_patterns("html")["boilerplate_markers"])


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
        tree = LexborHTMLParser(tree.root.html if tree.root is not None else "")   # a fresh copy, doctype left out
    config = load_patterns("html")
    always = ["script", "style", "noscript", "template", "head", "svg", "canvas", "object", "embed", "iframe"]
    tree.strip_tags(config["drop_tags"] if drop_boilerplate else always)
    root = tree.body or tree.root
    if root is None:
        return ""
    if drop_boilerplate:
        furniture = [node for node in root.traverse(include_text=False)
                     if node.is_element_node and node is not root and is_boilerplate(node.attributes)]
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
        if len(cells) < 2 or any(cell.css_first("table") is not None or len(cell.css(blocks)) > 1
                                 for cell in cells):
            continue
        row.insert_before(_BLOCK_MARK)
        for cell in cells:
            quiet.add(cell.mem_id)
            quiet.update(inner.mem_id for inner in cell.css(all_blocks))
            cell.insert_after(_CELL_MARK)
    return quiet


_SOURCE_WHITESPACE = regex.compile(r"[ \t\n\r\f\v]+")   # not \xa0 nor \u3000: those are written on purpose


def join_blocks(raw_text: str) -> str:
    """Collapse source-formatting whitespace like a browser and put each block on its own line
    (a table row's cells separated by a tab)."""
    lines = (join_cells(block) if _CELL_MARK in block else _SOURCE_WHITESPACE.sub(" ", block).strip(" ")
             for block in raw_text.split(_BLOCK_MARK))
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
    for key in load_patterns("metadata")["title_meta"]:
        if meta.get(key):
            return meta[key]
    heading = tree.css_first("h1")
    return heading.text(strip=True) or None if heading is not None else None


def page_source(tree: LexborHTMLParser, meta: dict[str, str]) -> str | None:
    """The page's own address: <link rel=canonical>, else og:url and similar meta tags."""
    node = tree.css_first('link[rel="canonical"]')
    if node is not None and node.attributes.get("href"):
        return node.attributes["href"].strip()
    return next((meta[k] for k in load_patterns("metadata")["source_meta"] if meta.get(k)), None)


# ---------------------------------------------------------------------------------------- metadata

_DATE = regex.compile(r"""
    (?P<y> (?:19|20)[0-9][0-9] ) \s* [年\-/.] \s*   # year (ASCII digits: int() reads them all)
    (?P<m> [0-9]{1,2} )      \s* [月\-/.] \s*       # month
    (?P<d> [0-9]{1,2} )                              # day
""", regex.VERBOSE)


def normalise_date(value: str) -> str | None:
    """ISO ``YYYY-MM-DD`` for the first valid date in ``value`` (2025年01月10日, 2025/1/10, 2025-01-10T08:00)."""
    for match in _DATE.finditer(value or ""):
        try:
            return dt.date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
        except ValueError:
            continue
    return None


def first_date(values: Iterable[str | None]) -> str | None:
    """The first of ``values`` that holds a valid date, as ISO."""
    return next((iso for iso in (normalise_date(v or "") for v in values) if iso), None)


@lru_cache(maxsize=1)
def _labelled_date() -> regex.Pattern:
    labels = "|".join(regex.escape(label) for label in load_patterns("metadata")["date_labels"])
    return regex.compile(rf"(?:{labels})\s*[::]?\s*(?P<date>(?:19|20)[0-9][0-9]\s*[年\-/.]\s*[0-9]{{1,2}}\s*[月\-/.]\s*[0-9]{{1,2}})")


def find_date_in_text(text: str) -> str | None:
    """The publication date from a labelled line (发布时间:2025年01月10日) near the top of the text."""
    return first_date(m["date"] for m in _labelled_date().finditer(text[:5000]))


@lru_cache(maxsize=1)
def _labelled_source() -> regex.Pattern:
    labels = "|".join(regex.escape(label) for label in load_patterns("metadata")["source_labels"])
    return regex.compile(rf"(?:{labels})\s*[::]\s*(?P<source>[^\s  |,,。]{{2,80}})")


_URL = regex.compile(r"https?://[^\s\"'<>()()]{4,300}")


def find_source_in_text(text: str) -> str | None:
    """A source named near the top of the text: an address, else a 来源:outlet label."""
    head = text[:3000]
    url = _URL.search(head)
    if url:
        return url.group()
    labelled = _labelled_source().search(head)
    return labelled["source"] if labelled else None


def guess_text_title(text: str) -> str | None:
    """The first non-empty line of a plain text, when it is short enough to be a title."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= 80 else None
    return None


@lru_cache(maxsize=1)
def _region_patterns() -> tuple[regex.Pattern, regex.Pattern, dict[str, str], frozenset[str]]:
    config = load_patterns("regions")
    names = {}
    for full, shorts in config["regions"].items():
        names[full] = full
        for short in shorts or []:
            names.setdefault(short, full)
    suffixes = "|".join(regex.escape(s) for s in sorted(config["place_suffixes"], key=len, reverse=True))
    authorities = "|".join(regex.escape(s) for s in sorted(config["authority_suffixes"], key=len, reverse=True))
    authority = regex.compile(rf"(?P<place>\p{{Han}}{{2,4}}?(?:{suffixes}))(?:{authorities})")
    known = regex.compile("|".join(regex.escape(n) for n in sorted(names, key=len, reverse=True)))
    return authority, known, names, frozenset("".join(config["not_place_chars"]))


def guess_region(text: str) -> str | None:
    """The jurisdiction a report speaks for: the most named known region, else a named police authority."""
    authority, known, names, not_place = _region_patterns()
    head = text[:5000]
    counts: dict[str, int] = {}
    for match in known.finditer(head):
        full = names[match.group()]
        counts[full] = counts.get(full, 0) + 1
    if counts:
        return max(counts, key=lambda full: (counts[full], -head.find(full)))
    places = (m["place"] for m in authority.finditer(head, overlapped=True))
    return next((place for place in places if not not_place.intersection(place)), None)
