"""What went wrong with a store file, in words: DuckDB's and the system's errors sorted into busy, damaged,
unreadable and full, each with the file named and what to do.

DuckDB reports a lock conflict, a damaged file and a full disk all as ``IOException``; only the message
tells them apart, so the sorting is by phrases of the message (whole phrases: "lock" is inside "block",
which a damaged file's checksum error names). A failure that hides another (a failed COMMIT followed by
"cannot rollback") is explained by the first cause found along the exception's chain.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

from metrics.errors import (
    StoreBusyError,
    StoreDamagedError,
    StoreError,
    StoreFullError,
    StoreMemoryError,
    StoreUnreadableError,
)

LOCK_PHRASES = re.compile(r"could not set lock|conflicting lock|different configuration", re.IGNORECASE)
FULL_PHRASES = re.compile(r"no space left on device|disk quota exceeded|file too large", re.IGNORECASE)
MEMORY_PHRASES = re.compile(r"out of memory|cannot allocate memory", re.IGNORECASE)
DENIED_PHRASES = re.compile(
    r"permission denied|read-only file system|operation not permitted|is a directory", re.IGNORECASE
)
DAMAGED_PHRASES = re.compile(
    r"not a valid duckdb database|corrupt|checksum|could not read enough bytes|"
    r"serialization|invalid (?:block|database|file)|database file .*version|"
    r"unable to open the database file|failed to read database header|"
    r"table with name (?:documents|statistics|corrections) does not exist",
    re.IGNORECASE,
)
FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
DENIED_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR}


def is_lock_conflict(exc: BaseException) -> bool:
    """True when DuckDB refused to open the file because another connection or process holds it."""
    return bool(LOCK_PHRASES.search(str(exc)))


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` then the exceptions it was raised from or while handling (a failed ROLLBACK, then the
    full disk that made the COMMIT fail)."""
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return text.splitlines()[0] if text else type(exc).__name__


def store_failure(exc: BaseException, db: str | Path, *, action: str = "open") -> StoreError | None:
    """The StoreError that explains ``exc`` met while using the store ``db`` (``action``: open, read,
    write), or None when it is not a problem of the file or its disk (a bug, a value refused...)."""
    if isinstance(exc, StoreError):
        return exc
    db = str(db)
    for cause in _causes(exc):
        number = getattr(cause, "errno", None) if isinstance(cause, OSError) else None
        message = str(cause)
        detail = _first_line(cause)
        if number in FULL_ERRNOS or FULL_PHRASES.search(message):
            return StoreFullError(
                f"{db}: No space left on device while trying to {action} the store ({detail}). The store "
                "keeps its last complete batch; free some disk space (or use --db on another disk) and run "
                "the command again.",
                path=db,
                detail=detail,
            )
        if number == errno.ENOMEM or MEMORY_PHRASES.search(message):
            return StoreMemoryError(
                f"{db}: out of memory while trying to {action} the store ({detail}). The store keeps its "
                "last complete batch; free some memory (close other programs, use fewer --workers) and run "
                "the command again.",
                path=db,
                detail=detail,
            )
        if is_lock_conflict(cause):
            return StoreBusyError(
                f"{db}: store busy (held by another process): {detail}. Wait for the other "
                "ingest or dashboard write to finish and try again.",
                path=db,
                detail=detail,
            )
        if number in DENIED_ERRNOS or DENIED_PHRASES.search(message):
            return StoreUnreadableError(
                f"{db}: cannot {action} the store: {detail}. Give your user read permission on the file (and "
                "write permission on it and its folder to ingest or correct), or use --db for another path.",
                path=db,
                detail=detail,
            )
        if DAMAGED_PHRASES.search(message):
            return StoreDamagedError(
                f"{db}: the store file is damaged ({detail}). Build a new one from your reports with "
                f"`python -m metrics rebuild --db {db} REPORTS...`: the damaged file is kept beside it.",
                path=db,
                detail=detail,
            )
    return None
