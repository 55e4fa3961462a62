"""Scale: the process pool and Dask (a real LocalCluster of 2 worker processes) give the serial store,
row for row, on the shipped reports plus a generated corpus; a worker killed mid-run changes nothing;
work in flight is bounded; the Parquet dataset reads back as the store; the CLI's exit codes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster, WorkerPlugin

from generate_corpus import generate
from metrics.store import KnownHashes, in_order, ingest, load_statistics
from metrics.store.dask_engine import ingest_dask
from metrics.store.dataset import load_dataset_statistics
from support import CORPUS, assert_same_store, snapshot

ROOT = Path(__file__).resolve().parent.parent

GENERATED = 301  # 300 generated reports and one without figures


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list[Path]:
    """The shipped reports and a generated corpus (UTF-8 and GB18030 .txt files in folders)."""
    folder = tmp_path_factory.mktemp("generated")
    for _ in generate(folder, GENERATED - 1, seed=5):
        pass
    # a report without a single figure, alone in its partition (its batch writes no statistics file)
    (folder / "part-0000" / "no-figures.txt").write_text("平安县公安局通报\n今天天气很好。\n", encoding="utf-8")
    return [CORPUS, folder]


@pytest.fixture(scope="module")
def serial_store(sources, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("serial") / "serial.duckdb"
    summary = ingest(sources, db=db, workers=1)
    assert (summary.files_read, summary.failed) == (50 + GENERATED, 0)
    return db


def local_cluster() -> LocalCluster:
    return LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")


@pytest.fixture(scope="module")
def cluster():
    with local_cluster() as running:
        yield running


def dataset_files(dataset: Path) -> set[Path]:
    return set(dataset.rglob("*.parquet"))


def test_pool_equals_serial(sources, serial_store, tmp_path):
    db = tmp_path / "pool.duckdb"
    summary = ingest(sources, db=db, workers=2)
    assert (summary.files_read, summary.failed) == (50 + GENERATED, 0)
    assert_same_store(db, serial_store)


def test_dask_equals_serial_then_reingest_skips_everything(sources, serial_store, cluster, tmp_path):
    db, dataset = tmp_path / "dask.duckdb", tmp_path / "dataset"
    first = ingest(sources, db=db, engine="dask", scheduler=cluster.scheduler_address, dataset=dataset)
    assert (first.files_read, first.failed) == (50 + GENERATED, 0)
    assert_same_store(db, serial_store)
    written = dataset_files(dataset)
    again = ingest(sources, db=db, engine="dask", scheduler=cluster.scheduler_address, dataset=dataset)
    assert (again.files_read, again.skipped, again.statistics) == (0, 50 + GENERATED, 0)
    assert_same_store(db, serial_store)
    assert dataset_files(dataset) == written  # skipped documents are not written again


def test_dataset_is_partitioned_and_reads_back_as_the_store(sources, serial_store, cluster, tmp_path):
    dataset = tmp_path / "dataset"
    ingest(sources, db=tmp_path / "d.duckdb", engine="dask", scheduler=cluster.scheduler_address, dataset=dataset)
    cangnan = list((dataset / "statistics" / "region=苍南县" / "year=2025").glob("*.parquet"))
    assert cangnan and set(pd.read_parquet(cangnan[0])["region"]) == {"苍南县"}
    pd.testing.assert_frame_equal(load_statistics(dataset), load_statistics(serial_store))
    counted = load_statistics(dataset, regions=["苍南县"])
    assert len(counted) and set(counted["region"]) == {"苍南县"}


class KillOnce(WorkerPlugin):
    """Kills its worker process (os._exit, no cleanup) when the worker starts its second ingest task;
    only one worker of the cluster does so (the first to create the marker file)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.started = 0

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish != "executing" or "metrics-batch" not in str(key):
            return
        self.started += 1
        if self.started == 2:
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return
            os._exit(1)


def test_worker_killed_mid_run_is_retried_and_nothing_is_doubled(sources, serial_store, tmp_path):
    marker, db, dataset = tmp_path / "killed", tmp_path / "dask.duckdb", tmp_path / "dataset"
    with local_cluster() as running, Client(running) as client:
        before = set(client.run(os.getpid).values())
        client.register_plugin(KillOnce(str(marker)))
        summary = ingest_dask(sources, db=db, scheduler=running.scheduler_address, dataset=dataset, batch_size=16)
        for _ in range(300):  # the nanny restarts the killed worker
            if len(client.scheduler_info()["workers"]) == 2:
                break
            time.sleep(0.1)
        after = set(client.run(os.getpid).values())
    assert marker.exists(), "no worker was killed"
    assert before - after, "the killed worker process is still there"
    assert (summary.files_read, summary.skipped, summary.failed) == (50 + GENERATED, 0, 0)
    assert_same_store(db, serial_store)
    stats = load_dataset_statistics(dataset)
    assert not stats["stat_id"].duplicated().any()
    assert len(stats) == len(snapshot(serial_store)[1])


def counting(items: list, pulled: list[int]):
    for item in items:
        pulled[0] += 1
        yield item


def test_in_order_keeps_order_and_bounds_work_in_flight():
    pulled, consumed, window = [0], 0, 4
    with ProcessPoolExecutor(2) as pool:
        for item, result in in_order(
            lambda x: pool.submit(pow, x, 2), counting(list(range(40)), pulled), window=window
        ):
            assert result == item**2 and item == consumed
            consumed += 1
            assert pulled[0] - consumed < window  # never more than the window pulled ahead
    assert consumed == 40


def test_known_hashes_find_exactly_the_stored_ones():
    stored = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(1000)]
    others = [hashlib.sha256(f"x{i}".encode()).hexdigest() for i in range(1000)]
    known = KnownHashes([KnownHashes.prefix(h) for h in stored])
    assert all(h in known for h in stored) and not any(h in known for h in others)
    assert len(known) == 1000 and "0" * 64 not in KnownHashes()


def run(*args: str, code: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "metrics"] if code is None else [sys.executable, "-c", code]
    return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_cli_engine_dask_starts_a_local_cluster_and_export_reads_the_dataset(serial_store, tmp_path):
    db = tmp_path / "m.duckdb"
    result = run("ingest", str(CORPUS), "--engine", "dask", "--workers", "2", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "50 files read, 0 skipped (unchanged), 0 failed" in result.stderr.splitlines()[-1]
    dataset = tmp_path / "m-dataset"  # the default: next to the store
    assert (dataset / "runs.jsonl").exists()
    out = tmp_path / "from-dataset.csv"
    exported = run("export", "--db", str(dataset), "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert sorted(frame["stat_id"]) == sorted(load_statistics(db)["stat_id"])


WITHOUT_DASK = (
    "import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None; "
    "from metrics.cli import main; sys.exit(main(sys.argv[1:]))"
)


def test_cli_without_dask_installed_exits_2_and_says_what_to_install(tmp_path):
    result = run("ingest", str(CORPUS), "--engine", "dask", "--db", str(tmp_path / "m.duckdb"), code=WITHOUT_DASK)
    assert result.returncode == 2
    assert "requirements-dask.txt" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "m.duckdb").exists()
    local = run("ingest", str(CORPUS / "cangnan-2024.json"), "--db", str(tmp_path / "m.duckdb"), code=WITHOUT_DASK)
    assert local.returncode == 0, local.stderr  # the local engine never needs Dask


USAGE_ERRORS = [
    (["--engine", "local", "--scheduler", "tcp://127.0.0.1:8786"], "needs --engine dask"),
    (["--output-dataset", "{tmp}/ds"], "needs --engine dask"),
    (["--engine", "spark"], "invalid choice"),
    (["--scheduler", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler"),
]


@pytest.mark.parametrize("args, message", USAGE_ERRORS, ids=[m for _, m in USAGE_ERRORS])
def test_cli_usage_errors_exit_2(tmp_path, args, message):
    db = tmp_path / "m.duckdb"
    result = run("ingest", str(CORPUS / "cangnan-2024.json"), "--db", str(db), *[a.format(tmp=tmp_path) for a in args])
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not db.exists() and not (tmp_path / "ds").exists()


def test_store_commands_on_a_dataset_folder_exit_2(tmp_path):
    result = run("list", "--db", str(tmp_path))
    assert (
        result.returncode == 2 and "is a folder, not a store file" in result.stderr and "Traceback" not in result.stderr
    )
