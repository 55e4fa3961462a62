"""Uploaded and pasted reports: a document id from the content, never a shared default name.

Five sessions pasting under the default name "pasted-report" once replaced each other's document (issue
16, finding 3): an upload's id is now its name's stem plus the first 12 hex digits of the content's
SHA-256, so two different texts never share an id, and the same text sent twice is one document.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath

from metrics.store.pool import IngestSummary, ingest_bytes

HASH_DIGITS = 12


def content_name(name: str, data: bytes) -> str:
    """``name`` with the content's hash before its extension: the id and path an upload is stored under.

    >>> content_name("pasted-report.txt", "全年刑事打处2129人".encode())
    'pasted-report-523966b079fc.txt'
    >>> content_name("../../报告 2024.html", b"x")
    '报告_2024-2d711642b726.html'
    """
    path = PurePath(name.replace("\\", "/"))
    stem = re.sub(r"[^\w.-]+", "_", path.stem).strip("._") or "report"
    return f"{stem[:80]}-{hashlib.sha256(data).hexdigest()[:HASH_DIGITS]}{path.suffix.lower()}"


def ingest_upload_bytes(name: str, data: bytes, **options) -> IngestSummary:
    """Ingest one uploaded or pasted report under its content name (see content_name); ``options`` are
    those of ``ingest_bytes`` (db, region, published)."""
    return ingest_bytes(content_name(name, data), data, **options)
