"""Ingest: read, extract and store reports, streaming, on a pool of local processes.

File paths go to a process pool in batches, each worker reads and extracts its batch, and only this
(parent) process writes, one transaction per batch (so each document is all or nothing). At most
``2 * workers`` batches are in flight at any time, so memory stays flat whatever the number of files; the
content hashes already stored travel to the workers as 8-byte prefixes (``KnownHashes``). The Dask engine
(metrics.store.dask_engine) runs the same batches on a cluster and writes through the same code.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import duckdb
import numpy as np

from metrics.errors import InputError
from metrics.extraction.pipeline import extract_parts
from metrics.record import Document, Record, record_rows
from metrics.sources.files import document_from_bytes, iter_files, read_document
from metrics.store.database import DEFAULT_DB, open_store
from metrics.store.identity import Fingerprint
from metrics.store.lifeline import exit_with_parent
from metrics.store.writing import Written, known_documents, write_documents

BATCH_SIZE = 32  # documents per worker task and per write connection


@dataclass
class IngestSummary:
    files_read: int = 0  # documents read and stored (new or changed)
    skipped: int = 0  # documents already stored with the same content
    failed: int = 0  # inputs that could not be read or extracted
    statistics: int = 0  # statistic rows stored
    linked: int = 0  # of files_read: near-duplicates of a stored document (linked, not counted)
    failures: list[InputError] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary printed at the end of an ingest."""
        linked = f" ({self.linked} near-duplicates linked, not counted)" if self.linked else ""
        return (
            f"{self.files_read} files read{linked}, {self.skipped} skipped (unchanged), {self.failed} failed, "
            f"{self.statistics} statistics stored"
        )


# What a worker sends back for each path of its batch: one of these three.


@dataclass(frozen=True)
class Extracted:
    """One document read and extracted by a worker, ready for the parent to write: its statistics as
    plain tuples (``record_rows``: cheap to pickle, no frame per document) and its identity fingerprint
    (``Fingerprint.to_row()``, computed in the worker so that the parent only compares)."""

    document: Document
    rows: list[tuple]
    fingerprint: tuple | None = None


@dataclass(frozen=True)
class Skipped:
    """A file whose content is already stored."""

    path: str


@dataclass(frozen=True)
class Failed:
    """A file that could not be read or extracted (InputError does not pickle: it travels as this)."""

    path: str
    reason: str


BatchItem = Extracted | Skipped | Failed


def extract_parts_reporting(path: str, text: str, **options) -> Iterator[list[Record]]:
    """extract_parts(text, **options), with the extractor's warnings (a pattern timeout, an implausible
    value) written to stderr naming ``path`` once the document is done: the command line and ingest
    both report them this way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield from extract_parts(text, **options)
    for warning in caught:
        print(f"metrics: {path}: warning: {warning.message}", file=sys.stderr)


def extract_document(doc: Document, *, region: str | None, published: str | None) -> Extracted:
    """Run the extractor on a document, part by part (a 50 MB report never holds all its records as
    objects at once); flags override the document's own region and date. The extractor's warnings
    (a pattern timeout, an implausible value) are passed on with the file named."""
    path = doc.path if doc.path.startswith("upload:") else os.path.abspath(doc.path)
    effective = Document(
        doc_id=doc.doc_id,
        path=path,
        text=doc.text,
        content_hash=doc.content_hash,
        title=doc.title,
        published=published or doc.published,
        region=region or doc.region,
        source=doc.source,
        encoding=doc.encoding,
    )
    return Extracted(effective, statistics_rows(effective, path=doc.path), Fingerprint.of(doc.text).to_row())


def statistics_rows(doc: Document, *, path: str | None = None) -> list[tuple]:
    """The statistics of a document as the rows the store takes (``record_rows``), extracted part by part
    with its own region and date; InputError naming ``path`` (else the document's) when extraction fails."""
    path = path or doc.path
    try:
        return [
            row
            for part in extract_parts_reporting(
                path, doc.text, published=doc.published, region=doc.region, doc_id=doc.doc_id, source=doc.source
            )
            for row in record_rows(part)
        ]
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop the run
        raise InputError(path, f"extraction failed: {type(exc).__name__}: {exc}") from None


class KnownHashes:
    """The content hashes already stored, as a sorted array of their first 64 bits (8 bytes each).

    A store of a million documents costs 8 MB here instead of ~110 MB of strings, in every worker. Two
    different contents share a prefix with probability about n / 2**64 (never, in practice); the parent
    still checks full hashes before writing, so a prefix can only ever cause a skip, never a double.
    """

    def __init__(self, prefixes: np.ndarray | None = None) -> None:
        self.prefixes = np.unique(np.asarray(prefixes if prefixes is not None else [], dtype=np.uint64))

    @staticmethod
    def prefix(content_hash: str) -> int:
        """The first 64 bits of a hex sha256."""
        return int(content_hash[:16], 16)

    def __contains__(self, content_hash: str) -> bool:
        if not len(self.prefixes):
            return False
        wanted = np.uint64(self.prefix(content_hash))
        at = int(np.searchsorted(self.prefixes, wanted))
        return at < len(self.prefixes) and self.prefixes[at] == wanted

    def __len__(self) -> int:
        return len(self.prefixes)


_KNOWN_HASHES = KnownHashes()


def _init_worker(known_hashes: KnownHashes) -> None:
    global _KNOWN_HASHES
    _KNOWN_HASHES = known_hashes
    exit_with_parent()  # a killed ingest leaves no worker behind (metrics.store.lifeline)


def process_batch(
    paths: list[str], region: str | None, published: str | None, known: KnownHashes | None = None
) -> list[BatchItem]:
    """Read and extract a batch of files (in a worker): one Extracted, Skipped or Failed per path.

    ``known`` defaults to the hashes the pool worker was started with.
    """
    known = _KNOWN_HASHES if known is None else known
    results: list[BatchItem] = []
    for path in paths:
        try:
            doc = read_document(Path(path))
            if doc.content_hash in known:
                results.append(Skipped(path))
                continue
            results.append(extract_document(doc, region=region, published=published))
        except InputError as exc:
            results.append(Failed(exc.path, exc.reason))
    return results


def write_results(
    db: Path, results: list[BatchItem], summary: IngestSummary, writer: BatchWriter | None = None
) -> list[Written]:
    """Write one batch of worker results in one transaction: through the run's ``writer`` (one connection
    for the whole run), or, without one, in a short connection of its own. What became of each Extracted
    item, in order (stored as new, linked as a near-duplicate, or the same as a stored document)."""
    extracted = []
    for item in results:
        if isinstance(item, Extracted):
            extracted.append(item)
        elif isinstance(item, Skipped):
            summary.skipped += 1
        else:
            summary.failed += 1
            summary.failures.append(InputError(item.path, item.reason))
    if not extracted:
        return []
    if writer is None:
        with open_store(db, write=True) as con:
            outcomes = write_documents(con, extracted)
    else:
        outcomes = writer.write(extracted)
    for written in outcomes:
        if written.status == "same":
            summary.skipped += 1
        else:
            summary.files_read += 1
            summary.statistics += written.statistics
            summary.linked += written.status == "near"
    return outcomes


class BatchWriter:
    """The parent's one write connection for a run, and what it knows of the stored documents.

    If a batch fails, what the index learnt from it is dropped with it (rebuilt from the store)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.known = known_documents(con)

    def write(self, items: list[Extracted]) -> list:
        try:
            return write_documents(self.con, items, self.known)
        except BaseException:
            self.known = known_documents(self.con)
            raise


def batches(items: Iterable[Path], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := [str(p) for p in islice(iterator, size)]:
        yield batch


def known_hashes(db: Path, con: duckdb.DuckDBPyConnection | None = None) -> KnownHashes:
    """The stored content hashes (as 64-bit prefixes, fetched as one array: no Python string per row),
    read through ``con`` when the run holds one. Every path a document came from counts (document_sources)."""
    if con is None:
        if not db.exists():
            return KnownHashes()
        with open_store(db) as own:
            return known_hashes(db, own)
    try:
        column = con.execute(
            "SELECT TRY_CAST('0x' || substr(content_hash, 1, 16) AS UBIGINT) AS h FROM "
            "(SELECT content_hash FROM documents UNION ALL "
            " SELECT content_hash FROM document_sources) WHERE h IS NOT NULL"
        ).fetchnumpy()["h"]
    except duckdb.CatalogException:
        return KnownHashes()
    return KnownHashes(np.asarray(column, dtype=np.uint64))


def progress_bar(enabled: bool):
    """A tqdm bar on a terminal only; otherwise an object that ignores updates."""
    from tqdm import tqdm

    return tqdm(unit="file", desc="ingest", disable=not (enabled and sys.stderr.isatty()), file=sys.stderr)


@dataclass(frozen=True)
class IngestOptions:
    """How ``ingest_local`` runs: into which store, with which region and date (they override the reports'
    own), on how many worker processes (None: one per CPU), with a progress bar on a terminal or not."""

    db: str | os.PathLike = DEFAULT_DB
    region: str | None = None
    published: str | None = None
    workers: int | None = None
    progress: bool = False


def ingest_local(paths: Iterable[str | os.PathLike], options: IngestOptions = IngestOptions()) -> IngestSummary:
    """Read, extract and store every report under ``paths`` with a pool of ``options.workers`` processes on
    this machine (one: in this process); see the module docstring for the design.

    UsageError (before anything is stored) when a path named does not exist.
    """
    db = Path(options.db)
    files = iter_files(list(paths))  # checks every path named now
    first = next(files, None)
    summary = IngestSummary()
    if first is None:
        return summary
    files = chain(first, files)
    workers = max(1, options.workers or os.cpu_count() or 1)
    with open_store(db, write=True) as con, progress_bar(options.progress) as bar:  # one connection for the run
        known = known_hashes(db, con)
        writer = BatchWriter(con)
        if workers == 1:
            _init_worker(known)
            for batch in batches(files, BATCH_SIZE):
                write_results(db, process_batch(batch, options.region, options.published), summary, writer)
                bar.update(len(batch))
            return summary
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(known,)) as pool:
            try:
                submit = lambda batch: pool.submit(process_batch, batch, options.region, options.published)  # noqa: E731
                for batch, results in in_order(submit, batches(files, BATCH_SIZE), window=2 * workers):
                    write_results(db, results, summary, writer)
                    bar.update(len(batch))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return summary


def in_order(submit: Callable, items: Iterable, *, window: int) -> Iterator[tuple]:
    """``(item, submit(item).result())`` in the order of ``items``, with at most ``window`` submitted and
    not yet consumed: the input is pulled lazily, so memory is bounded by the window, not the input.

    ``submit`` returns anything with a ``result()`` method (a concurrent.futures or a Dask future).
    """
    pending: deque = deque()
    for item in items:
        pending.append((item, submit(item)))
        if len(pending) >= window:
            item, future = pending.popleft()
            yield item, future.result()
    while pending:
        item, future = pending.popleft()
        yield item, future.result()


def chain(first: Path, rest: Iterator[Path]) -> Iterator[Path]:
    yield first
    yield from rest


def ingest_bytes(
    name: str,
    data: bytes,
    *,
    db: str | os.PathLike = DEFAULT_DB,
    region: str | None = None,
    published: str | None = None,
) -> IngestSummary:
    """Ingest one uploaded or pasted report (``name`` gives its format by extension), in this process."""
    summary = IngestSummary()
    try:
        doc = document_from_bytes(data, name=name, path=f"upload:{name}")
        item = extract_document(doc, region=region, published=published)
    except InputError as exc:
        summary.failed, summary.failures = 1, [exc]
        return summary
    write_results(Path(db), [item], summary)
    return summary
