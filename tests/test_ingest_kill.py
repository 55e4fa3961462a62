"""Issue 16, finding 8: a killed ingest leaves no pool worker behind.

An ingest with two workers is started in a subprocess on enough reports to keep it busy, killed (kill -9,
SIGTERM, SIGINT) once its workers run, and every process it started must be gone soon after. Before the
fix, the workers and the forkserver of a SIGTERM'd or kill -9'd ingest lived on (about 280 MB each).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus" / "dev"
GRACE_SECONDS = 30  # a worker ends as soon as it holds Python's lock again (a long pattern scan may hold it)


@pytest.fixture(scope="module")
def many_reports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    for copy in range(20):
        for report in CORPUS.glob("*.json"):
            shutil.copy(report, folder / f"{copy}-{report.name}")
    return folder


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_no_worker_survives_a_killed_ingest(many_reports, tmp_path, how):
    ingest = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "metrics",
            "ingest",
            str(many_reports),
            "--db",
            str(tmp_path / "s.duckdb"),
            "--workers",
            "2",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    parent = psutil.Process(ingest.pid)
    started = time.monotonic()
    descendants: list[psutil.Process] = []
    while time.monotonic() - started < 90:
        descendants = parent.children(recursive=True)
        workers = [p for p in descendants if alive(p) and p.ppid() != ingest.pid]  # forked by the forkserver
        if len(workers) >= 2:
            break
        time.sleep(0.2)
    assert len(workers) >= 2, "the pool never started"
    time.sleep(1.0)  # let them take work
    assert ingest.poll() is None, "the ingest ended before it could be killed"
    ingest.send_signal(how)
    ingest.wait(timeout=60)
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline and any(map(alive, descendants)):
        time.sleep(0.2)
    survivors = [p.pid for p in descendants if alive(p)]
    for pid in survivors:  # do not leave them running after a failure either
        psutil.Process(pid).kill()
    assert survivors == []
