"""The Dask engine of ingest, and the Parquet dataset it writes (``python -m metrics ingest --engine dask``).

The client only lists files and batches their paths. Each Dask task reads, decodes and extracts its own
batch with the same code as the local pool (``metrics.store.pool.process_batch``) and writes the batch's
documents and statistics as Parquet files partitioned by region and year; the task returns only file
names and one outcome per path, so no document text goes through the scheduler. The client then loads
each finished batch from those files (DuckDB ``read_parquet``) into the store, in submission order and
through the same transaction as the local engines, so the store ends up identical row for row.

Identity: the store decides which document a file is (metrics.store.identity: the same normalised text
is one document, a near-duplicate is linked to its first copy). After each batch is stored, its Parquet
files keep only the documents the store counted, under the doc_id and stat_ids the store gave them; a
file that is the same report as a stored one, or a near-duplicate of it, leaves no rows in the dataset
(the store keeps its address). So the dataset counts every report once, as the store does.

Retries: a task is named by its run and batch number and writes its files under fixed names (each
written to a temporary name, then renamed), so a task re-run after a worker died overwrites its own
files instead of adding to them; the store is written only by the client, once per batch.

Dataset layout (``<dataset>/``; region names as written, only characters unsafe in paths as %XX, a
missing value as ``__HIVE_DEFAULT_PARTITION__``; every file also holds region and the document's date as plain
columns)::

    documents/region=<region>/year=<year published>/<run>-<batch>.parquet
    statistics/region=<region>/year=<year published>/<run>-<batch>.parquet
    runs.jsonl          one line per finished run

Dask is optional (requirements-dask.txt): it is imported only here, only when asked for.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from metrics.errors import DaskMissingError, EngineError, UsageError
from metrics.extraction.frame import rows_to_frame, with_column_types
from metrics.record import ARROW_TYPES, COLUMNS, DOCUMENT_ARROW_TYPES, DOCUMENT_COLUMNS, PANDAS_TYPES, Document
from metrics.sources.files import iter_files
from metrics.store.dataset import default_dataset
from metrics.store.pool import (
    BatchItem,
    Extracted,
    Failed,
    IngestSummary,
    KnownHashes,
    Skipped,
    batches,
    chain,
    in_order,
    known_hashes,
    process_batch,
    progress_bar,
    write_results,
)
from metrics.store.writing import Written, stat_ids

DASK_BATCH_SIZE = 256  # documents per Dask task (bigger than the pool's: fewer tasks and files)
LOCAL_WORKERS = 2  # workers of the LocalCluster started when no scheduler is given
CONNECT_TIMEOUT = "10s"  # how long to try reaching a scheduler
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
_UNSAFE = frozenset('/\\%=:*?"<>|\x7f')
_DOCUMENTS_SCHEMA = pa.schema(
    [(name, pa.type_for_alias(DOCUMENT_ARROW_TYPES[name])) for name in DOCUMENT_COLUMNS]
    + [("run", pa.string()), ("position", pa.int32())]
)
# One schema for every statistics file, whatever a batch holds (an all-empty frame must not change it).
_STATISTICS_SCHEMA = pa.schema(
    [("stat_id", pa.string())]
    + [(c, pa.type_for_alias(ARROW_TYPES[c])) for c in COLUMNS]
    + [("doc_path", pa.string()), ("run", pa.string()), ("position", pa.int32()), ("row", pa.int32())]
)


@dataclass(frozen=True)
class Outcome:
    """What became of one path of a task's batch: stored in the task's files, skipped, or failed."""

    status: str  # "ok", "skip" or "error"
    reason: str | None = None  # why it failed


@dataclass(frozen=True)
class BatchResult:
    """What a task sends back: one outcome per path of its batch, and the Parquet files it wrote."""

    index: int
    outcomes: list[Outcome]  # one per position of the batch
    documents: list[str]
    statistics: list[str]


def require_distributed():
    """The ``distributed`` module; DaskMissingError (exit 2) with what to install when it is missing."""
    try:
        import distributed
    except ImportError:
        raise DaskMissingError(
            "--engine dask needs dask and distributed: pip install -r requirements-dask.txt"
        ) from None
    return distributed


def new_run_id() -> str:
    """A name for one ingest run that sorts by time: 20250110T103000-1a2b3c4d."""
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


# -------------------------------------------------------------------------------------- worker side


def partition_segment(value: str | None) -> str:
    """A partition value as a directory name: kept as written (Chinese included) except characters that
    are unsafe in paths or Hive names, which become %XX; a missing value is NULL_PARTITION.

    >>> partition_segment("苍南县"), partition_segment("a/b=c"), partition_segment(None)
    ('苍南县', 'a%2Fb%3Dc', '__HIVE_DEFAULT_PARTITION__')
    """
    if not value:
        return NULL_PARTITION
    escaped = "".join(f"%{ord(ch):02X}" if ch in _UNSAFE or ord(ch) < 0x20 else ch for ch in value)
    return "%2E" + escaped[1:] if escaped.startswith(".") else escaped


def partition_of(doc: Document) -> tuple[str, str]:
    """The (region, year) directory names of a document: its region, the year it was published."""
    year = doc.published[:4] if doc.published and doc.published[:4].isdigit() else None
    return f"region={partition_segment(doc.region)}", f"year={partition_segment(year)}"


def _write_atomically(table: pa.Table, path: Path) -> None:
    """Write a Parquet file under a temporary name, then rename it: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    pq.write_table(table, temporary)
    os.replace(temporary, path)


def documents_table(items: list[tuple[int, Extracted]], run: str) -> pa.Table:
    """The documents of a batch (with their batch position) as an Arrow table."""
    columns = {name: [getattr(item.document, name) for _, item in items] for name in DOCUMENT_COLUMNS}
    columns["run"] = [run] * len(items)
    columns["position"] = [position for position, _ in items]
    return pa.table(columns, schema=_DOCUMENTS_SCHEMA)


def extracted_from_frame(document: Document, frame: pd.DataFrame) -> Extracted:
    """An item from a statistics frame read back from Parquet: its rows as ``record_rows`` gives them."""
    rows = [
        tuple(
            None if v is pd.NA or (isinstance(v, float) and v != v and c not in _FLOATS) else v
            for c, v in zip(COLUMNS, row)
        )
        for row in frame[list(COLUMNS)].itertuples(index=False)
    ]
    return Extracted(document, rows)


_FLOATS = {c for c, t in PANDAS_TYPES.items() if t == "float64"}


def statistics_table(items: list[tuple[int, Extracted]], run: str) -> pa.Table:
    """The statistics of a batch's documents: stat_id, COLUMNS, doc_path, run, position, row."""
    frames = []
    for position, item in items:
        frame = rows_to_frame(item.rows)
        frame.insert(0, "stat_id", stat_ids(item.document.doc_id, frame))
        frame["doc_path"] = item.document.path
        frame["run"] = run
        frame["position"] = pd.Series([position] * len(frame), dtype="int32")
        frame["row"] = pd.Series(range(len(frame)), dtype="int32")
        frames.append(frame)
    return pa.Table.from_pandas(pd.concat(frames, ignore_index=True), schema=_STATISTICS_SCHEMA, preserve_index=False)


def write_batch(items: list[tuple[int, Extracted]], dataset: Path, run: str, index: int) -> tuple[list, list]:
    """Write a batch's documents and statistics, one file per (region, year) partition; the file names."""
    groups: dict[tuple[str, str], list] = {}
    for position, item in items:
        groups.setdefault(partition_of(item.document), []).append((position, item))
    name = f"{run}-{index:06d}.parquet"
    documents, statistics = [], []
    for (region, year), group in sorted(groups.items()):
        for kind, table, written in (
            ("documents", documents_table(group, run), documents),
            ("statistics", statistics_table(group, run), statistics),
        ):
            if not table.num_rows:
                continue  # documents without statistics: no empty statistics file
            path = dataset / kind / region / year / name
            _write_atomically(table, path)
            written.append(str(path))
    return documents, statistics


def run_batch(
    index: int, paths: list[str], region: str | None, published: str | None, known: KnownHashes, dataset: str, run: str
) -> BatchResult:
    """One Dask task: read, extract and write a batch of files; returns outcomes and file names only."""
    outcomes, extracted = [], []
    for position, item in enumerate(process_batch(paths, region, published, known)):
        if isinstance(item, Extracted):
            outcomes.append(Outcome("ok"))
            extracted.append((position, item))
        elif isinstance(item, Skipped):
            outcomes.append(Outcome("skip"))
        else:
            outcomes.append(Outcome("error", item.reason))
    documents, statistics = write_batch(extracted, Path(dataset), run, index) if extracted else ([], [])
    return BatchResult(index, outcomes, documents, statistics)


# -------------------------------------------------------------------------------------- client side


def load_batch(result: BatchResult, paths: list[str]) -> list[BatchItem]:
    """The batch read back from its Parquet files (DuckDB read_parquet), as the items ``write_results``
    takes, in batch order; ``paths`` are the paths as the user gave them (for messages)."""
    documents, frames = {}, {}
    if result.documents:
        with duckdb.connect() as con:
            rows = con.execute(
                f"SELECT position, {', '.join(DOCUMENT_COLUMNS)} FROM read_parquet(?)", [result.documents]
            ).fetchall()
            statistics = (
                con.execute("SELECT * FROM read_parquet(?) ORDER BY position, row", [result.statistics]).df()
                if result.statistics
                else None
            )
        documents = {row[0]: Document(**dict(zip(DOCUMENT_COLUMNS, row[1:]))) for row in rows}
        for position, group in [] if statistics is None else statistics.groupby("position", sort=False):
            frames[position] = with_column_types(group[list(COLUMNS)].reset_index(drop=True))
    items: list[BatchItem] = []
    for position, (outcome, path) in enumerate(zip(result.outcomes, paths)):
        if outcome.status == "ok":
            frame = frames.get(position, with_column_types(pd.DataFrame(columns=list(COLUMNS))))
            items.append(extracted_from_frame(documents[position], frame))
        elif outcome.status == "skip":
            items.append(Skipped(path))
        else:
            items.append(Failed(path, outcome.reason))
    return items


def keep_counted_documents(result: BatchResult, items: list[BatchItem], outcomes: list[Written]) -> None:
    """Rewrite a stored batch's Parquet files to hold only what the store counted (``outcomes``: what
    ``write_results`` made of each Extracted item), under the store's doc_id and stat_ids.

    A batch of new documents under their own names (the common case) is left as it is."""
    positions = [position for position, item in enumerate(items) if isinstance(item, Extracted)]
    counted = {p: written.doc_id for p, written in zip(positions, outcomes) if written.status == "new"}
    if all(counted.get(p) == items[p].document.doc_id for p in positions):
        return
    for path in [*result.documents, *result.statistics]:
        _keep_positions(Path(path), counted)


def _keep_positions(path: Path, counted: dict[int, str]) -> None:
    """Keep the rows of a batch file whose position was counted, with its stored doc_id (and stat_ids from
    it); a file left with no row is removed."""
    table = pq.read_table(path)
    table = table.filter(pa.array([p in counted for p in table.column("position").to_pylist()]))
    if not table.num_rows:
        path.unlink()
        return
    frame = table.select(["position", *(["start", "end"] if "stat_id" in table.column_names else [])]).to_pandas()
    doc_ids = frame["position"].map(counted)
    table = table.set_column(
        table.column_names.index("doc_id"), "doc_id", pa.array(doc_ids, table.schema.field("doc_id").type)
    )
    if "stat_id" in table.column_names:
        ids = pd.Series("", index=frame.index)
        for position, group in frame.groupby("position", sort=False):
            ids[group.index] = stat_ids(counted[position], group)
        table = table.set_column(table.column_names.index("stat_id"), "stat_id", pa.array(ids, pa.string()))
    _write_atomically(table, path)


@contextmanager
def dask_client(scheduler: str | None, workers: int | None) -> Iterator:
    """A Client of the cluster at ``scheduler``, or of a LocalCluster of ``workers`` processes."""
    distributed = require_distributed()
    if scheduler is None:
        cluster = distributed.LocalCluster(
            n_workers=workers or LOCAL_WORKERS,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
        with cluster, distributed.Client(cluster) as client:
            yield client
        return
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        yield client


def ingest_dask(
    paths: Iterable[str | os.PathLike],
    *,
    db: str | os.PathLike,
    region: str | None = None,
    published: str | None = None,
    workers: int | None = None,
    progress: bool = False,
    scheduler: str | None = None,
    dataset: str | os.PathLike | None = None,
    batch_size: int = DASK_BATCH_SIZE,
) -> IngestSummary:
    """``metrics.store.pool.ingest_local`` on a Dask cluster; also leaves the run's Parquet files under ``dataset``.

    Input paths and the dataset folder must be reachable by every worker under the same absolute name.
    """
    distributed = require_distributed()
    db = Path(db)
    files = iter_files(list(paths))  # checks every path named before any cluster starts
    first = next(files, None)
    summary = IngestSummary()
    if first is None:
        return summary
    dataset = Path(os.path.abspath(dataset or default_dataset(db)))
    try:
        dataset.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the dataset folder {dataset}: {exc.strerror or exc}") from None
    run = new_run_id()
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with dask_client(scheduler, workers) as client, progress_bar(progress) as bar:
        known = client.scatter(known_hashes(db), broadcast=True)
        numbered = enumerate(batches(chain(first, files), batch_size))

        def submit(job: tuple[int, list[str]]):
            index, batch = job
            return client.submit(
                run_batch,
                index,
                [os.path.abspath(p) for p in batch],
                region,
                published,
                known,
                str(dataset),
                run,
                key=f"metrics-batch-{run}-{index}",
                retries=1,
            )

        window = 2 * max(1, sum(client.nthreads().values())) + 2
        try:
            for (_index, batch), result in in_order(submit, numbered, window=window):
                items = load_batch(result, batch)
                keep_counted_documents(result, items, write_results(db, items, summary))
                bar.update(len(batch))
        except distributed.KilledWorker as exc:
            raise EngineError(f"the Dask cluster gave up on a batch: {exc}") from None
        except OSError as exc:  # e.g. a worker could not write the dataset (full disk, no access)
            raise EngineError(f"a batch failed on the cluster: {exc}") from None
    record_run(dataset, run=run, started=started, db=db, summary=summary)
    return summary


def record_run(dataset: Path, *, run: str, started: str, db: Path, summary: IngestSummary) -> None:
    """Append one line about a finished run to ``<dataset>/runs.jsonl`` (its change is the dataset's version)."""
    line = {
        "run": run,
        "started": started,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "store": str(db.resolve()),
        "files_read": summary.files_read,
        "skipped": summary.skipped,
        "failed": summary.failed,
        "statistics": summary.statistics,
    }
    with open(dataset / "runs.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")
