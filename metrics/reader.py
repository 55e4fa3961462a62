"""Reading report files into Documents. (Minimal UTF-8 version; the full reader replaces it.)"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from metrics.errors import InputError, UsageError

SUFFIXES = (".txt", ".html", ".htm")


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str                 # file name without extension
    path: str                   # where it was read from
    text: str                   # the decoded text that offsets index
    content_hash: str           # sha256 of the raw bytes
    title: str | None = None
    published: str | None = None  # ISO date found in the document's metadata
    region: str | None = None
    source: str | None = None   # source address found in the document
    encoding: str = "utf-8"


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and report files inside directories named (recursively, sorted)."""
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"no such file or directory: {raw}")
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
        else:
            yield path


def read_document(path: Path) -> Document:
    """One file as a Document; InputError when it cannot be read as text."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), str(exc)) from None
    return Document(doc_id=path.stem, path=str(path), text=text,
                    content_hash=hashlib.sha256(raw).hexdigest())


def read_documents(paths: Iterable[str | Path]) -> Iterator[Document | InputError]:
    """Every document under ``paths``, or the InputError of one that could not be read."""
    for path in iter_files(paths):
        try:
            yield read_document(path)
        except InputError as exc:
            yield exc
