"""Reading report files into Documents: text, web pages and annotated JSON, in any common Chinese encoding.

Stages, each a small function: find files (``iter_files``) → check the file is a regular, readable file
(``check_readable``, before opening, so a FIFO never blocks) → decode the bytes (``decode_bytes``,
metrics.sources.encodings) → take the visible article text out of a web page (``html_to_text``,
metrics.sources.html) → find metadata (title, date, source, region). Offsets of the statistics later
index ``Document.text``, the decoded text the store keeps. Word lists live in
``metrics/patterns/reader_*.yaml``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import regex
from selectolax.lexbor import LexborHTMLParser

from metrics.errors import InputError, UsageError
from metrics.extraction.jurisdiction import region_fields
from metrics.record import Document
from metrics.rules import load
from metrics.sources.encodings import decode_bytes
from metrics.sources.html import html_to_text, meta_tags, page_source, page_title

SUFFIXES = (".txt", ".html", ".htm", ".json", ".pdf", ".docx")
HTML_SUFFIXES = (".html", ".htm")
MAX_BYTES = 200 * 1024 * 1024  # a larger "report" is refused rather than read into memory


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
                yield entry  # FIFOs and broken links too: read_document names them
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
    path = name_as_text(path or name)  # as text: a store or a table can hold it whatever the name's bytes
    name = name_as_text(name)
    suffix = Path(name).suffix.lower()
    content_hash = hashlib.sha256(raw).hexdigest()
    if suffix in (".pdf", ".docx"):
        return _office_document(raw, suffix=suffix, path=path, stem=Path(name).stem, content_hash=content_hash)
    if suffix == ".json":
        return _json_document(raw, path=path, stem=Path(name).stem, content_hash=content_hash)
    text, encoding = decode_bytes(raw, path=path, html=suffix in HTML_SUFFIXES)
    if suffix in HTML_SUFFIXES or (suffix not in (".txt",) and looks_like_html(text)):
        return _html_document(text, path=path, stem=Path(name).stem, content_hash=content_hash, encoding=encoding)
    return _text_document(text, path=path, stem=Path(name).stem, content_hash=content_hash, encoding=encoding)


def _text_document(text: str, *, path: str, stem: str, content_hash: str, encoding: str) -> Document:
    """Plain text (of a text file, a PDF or a Word file): the metadata is what the text itself says."""
    return Document(
        doc_id=stem,
        path=path,
        text=text,
        content_hash=content_hash,
        title=guess_text_title(text),
        published=find_date_in_text(text),
        region=guess_region(text),
        source=find_source_in_text(text),
        encoding=encoding,
    )


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
    return Document(
        doc_id=field("doc_id") or stem,
        path=path,
        text=text,
        content_hash=content_hash,
        title=field("title") or guess_text_title(text),
        published=normalise_date(field("published") or "") or find_date_in_text(text),
        region=field("region") or guess_region(text),
        source=field("source"),
        encoding="utf-8",
    )


def _office_document(raw: bytes, *, suffix: str, path: str, stem: str, content_hash: str) -> Document:
    """A PDF or Word file: the text its library reader gives (tables as tab-separated rows); metadata found in it."""
    # imported here: runs on plain text never load the PDF and Word libraries
    from metrics.sources.docx import docx_text
    from metrics.sources.pdf import pdf_text

    text = pdf_text(raw, path=path) if suffix == ".pdf" else docx_text(raw, path=path)
    return _text_document(text, path=path, stem=stem, content_hash=content_hash, encoding=suffix[1:])


def _html_document(page: str, *, path: str, stem: str, content_hash: str, encoding: str) -> Document:
    """A saved web page: its visible article text and the metadata in its head."""
    tree = LexborHTMLParser(page)
    meta = meta_tags(tree)
    title = page_title(tree, meta)
    full_text = html_to_text(tree, drop_boilerplate=False)
    text = html_to_text(tree, drop_boilerplate=True) or full_text
    published = first_date(meta.get(k) for k in load("reader_metadata")["date_meta"]) or find_date_in_text(full_text)
    source = page_source(tree, meta) or find_source_in_text(full_text)
    region = guess_region(text, title)
    return Document(
        doc_id=stem,
        path=path,
        text=text,
        content_hash=content_hash,
        title=title,
        published=published,
        region=region,
        source=source,
        encoding=encoding,
    )


# ---------------------------------------------------------------------------------------- metadata

_DATE = regex.compile(
    r"""
    (?P<y> (?:19|20)[0-9][0-9] ) \s* [年\-/.] \s*   # year (ASCII digits: int() reads them all)
    (?P<m> [0-9]{1,2} )      \s* [月\-/.] \s*       # month
    (?P<d> [0-9]{1,2} )                              # day
""",
    regex.VERBOSE,
)


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
    labels = "|".join(regex.escape(label) for label in load("reader_metadata")["date_labels"])
    date = r"(?:19|20)[0-9][0-9]\s*[年\-/.]\s*[0-9]{1,2}\s*[月\-/.]\s*[0-9]{1,2}"
    return regex.compile(rf"(?:{labels})\s*[::]?\s*(?P<date>{date})")


def find_date_in_text(text: str) -> str | None:
    """The publication date from a labelled line (发布时间:2025年01月10日) near the top of the text."""
    return first_date(m["date"] for m in _labelled_date().finditer(text[:5000]))


@lru_cache(maxsize=1)
def _labelled_source() -> regex.Pattern:
    labels = "|".join(regex.escape(label) for label in load("reader_metadata")["source_labels"])
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
def _authority_pattern() -> tuple[regex.Pattern, frozenset[str]]:
    config = load("reader_regions")
    suffixes = "|".join(regex.escape(s) for s in sorted(config["place_suffixes"], key=len, reverse=True))
    authorities = "|".join(regex.escape(s) for s in sorted(config["authority_suffixes"], key=len, reverse=True))
    authority = regex.compile(rf"(?P<place>\p{{Han}}{{2,4}}?(?:{suffixes}))(?:{authorities})")
    return authority, frozenset("".join(config["not_place_chars"]))


def guess_region(text: str, title: str | None = None) -> str | None:
    """The jurisdiction a report speaks for, as the extractor's region resolver reads its title and text
    (安宁分局 in a page of 中国甘肃网 is 安宁区, not the province its newspaper names), else a police
    authority the text names (<place>公安局) that the division list does not know."""
    resolved = region_fields(None, text, title)["region"]
    if resolved:
        return resolved
    authority, not_place = _authority_pattern()
    places = (m["place"] for m in authority.finditer(text[:5000], overlapped=True))
    return next((place for place in places if not not_place.intersection(place)), None)
