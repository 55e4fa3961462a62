"""Issue 16, finding 7: a damaged or unreadable store, a folder, a read-only folder, a full disk.

Every command prints one message naming the file and what to do, exits 1, never a traceback, within a
few seconds (junk was once reported as "store busy" after 61 s: the lock check found "lock" in "block").
Permission cases run the command as the unprivileged user `nobody` when the tests run as root (root reads
everything); the full disk is a 2 MB tmpfs when the tests may mount one, else a file-size limit.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

from metrics.errors import StoreBusyError, StoreDamagedError, StoreFullError, StoreMemoryError
from metrics.store import ingest, list_documents, load_document, load_statistics
from metrics.store.database import WRITER_MEMORY, memory_for_batch
from metrics.store.failures import store_failure
from metrics.store.rebuild import rebuild_store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus" / "dev"
REPORTS = sorted(CORPUS.glob("*.json"))[:6]
SECONDS = 15  # "within a few seconds": generous for a loaded 2-core machine (the bug took 61 s)


def run_cli(*args: str, user: str | None = None, limit_file_size: int | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "metrics", *args]
    if user and os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]

    def limits() -> None:
        if limit_file_size is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=limits)
    done.seconds = time.monotonic() - started
    return done


def assert_one_message(done: subprocess.CompletedProcess, *words: str, code: int = 1) -> None:
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("metrics: error:")]
    assert len(errors) == 1, done.stderr
    for word in words:
        assert word in errors[0], (word, errors[0])
    assert done.seconds < SECONDS, done.seconds


@pytest.fixture(scope="module")
def good_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("good") / "metrics.duckdb"
    ingest(REPORTS, db=db, workers=1)
    return db


def damaged_copies(good: Path, folder: Path) -> dict[str, Path]:
    """The same store broken in the ways seen in the field."""
    data = good.read_bytes()
    files = {
        "truncated": data[: len(data) // 3],
        "header only": data[:100],
        "junk": os.urandom(300_000),
        "empty": b"",
        "text": "这不是数据库\n".encode() * 1000,
    }
    middle = bytearray(data)
    middle[20_000:60_000] = os.urandom(40_000)  # a failed checksum "in block at location ...": no "lock"
    files["junk inside"] = bytes(middle)
    paths = {}
    for name, content in files.items():
        path = folder / f"{name.replace(' ', '-')}.duckdb"
        path.write_bytes(content)
        paths[name] = path
    return paths


@pytest.fixture(scope="module")
def damaged(good_store, tmp_path_factory) -> dict[str, Path]:
    return damaged_copies(good_store, tmp_path_factory.mktemp("damaged"))


KINDS = ["truncated", "header only", "junk", "empty", "text", "junk inside"]
CASES = [(kind, "list") for kind in KINDS] + [
    (kind, command) for kind in ("truncated", "junk inside") for command in ("stats", "export", "ingest")
]


@pytest.mark.parametrize(("kind", "command"), CASES)
def test_every_command_on_a_damaged_store_says_so_at_once(damaged, kind, command):
    db = damaged[kind]
    args = [command, "--db", str(db)] + ([str(REPORTS[0]), "--workers", "1"] if command == "ingest" else [])
    done = run_cli(*args)
    # the middle-junk file opens; DuckDB only fails on the damaged block, whatever command reads it
    assert_one_message(done, str(db), "damaged", "rebuild")
    assert "busy" not in done.stderr


def test_a_checksum_error_in_a_block_is_not_a_lock_conflict(damaged):
    with pytest.raises(duckdb.Error) as caught:
        con = duckdb.connect(str(damaged["junk inside"]), read_only=True)
        con.execute("SELECT * FROM statistics").fetchall()
    assert "block" in str(caught.value)
    assert isinstance(store_failure(caught.value, "x.duckdb"), StoreDamagedError)


def test_a_real_lock_conflict_is_busy(good_store, tmp_path):
    db = tmp_path / "held.duckdb"
    shutil.copy(good_store, db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(duckdb.Error) as caught:
            duckdb.connect(str(db), read_only=True)
        assert isinstance(store_failure(caught.value, db), StoreBusyError)
    finally:
        holder.kill()
        holder.wait()


@pytest.fixture()
def open_folder():
    """A folder the unprivileged user can reach (pytest's own tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="metrics-failures-"))
    folder.chmod(0o777)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o777) if path.is_dir() else None
    shutil.rmtree(folder, ignore_errors=True)


def test_a_store_without_read_permission(good_store, open_folder):
    db = open_folder / "private.duckdb"
    shutil.copy(good_store, db)
    db.chmod(0o000)
    for command in ("list", "stats", "export"):
        done = run_cli(command, "--db", str(db), user="nobody")
        assert_one_message(done, str(db), "Permission denied", "permission")


def test_a_store_in_a_read_only_folder_is_read_but_not_written(good_store, open_folder):
    folder = open_folder / "readonly"
    folder.mkdir()
    db = folder / "metrics.duckdb"
    shutil.copy(good_store, db)
    db.chmod(0o644)
    stale = folder / "stale.duckdb"  # as if an older extractor had written it
    shutil.copy(good_store, stale)
    with duckdb.connect(str(stale)) as con:
        con.execute("UPDATE store_info SET value = 'older' WHERE key = 'extractor'")
    stale.chmod(0o644)
    folder.chmod(0o555)
    new_report = open_folder / "new.txt"
    new_report.write_text("全年刑事打处2129人、逮捕684人。", encoding="utf-8")
    new_report.chmod(0o644)
    assert run_cli("list", "--db", str(db), user="nobody").returncode == 0
    done = run_cli("ingest", str(new_report), "--db", str(db), "--workers", "1", user="nobody")
    assert_one_message(done, str(db), "Permission denied")
    done = run_cli("ingest", str(new_report), "--db", str(folder / "new.duckdb"), "--workers", "1", user="nobody")
    assert_one_message(done, "new.duckdb", "Permission denied")
    done = run_cli("export", "--db", str(db), "-o", str(folder / "out.csv"), user="nobody")
    assert_one_message(done, "out.csv", "Permission denied")
    done = run_cli("refresh", "--db", str(db), user="nobody")  # current: only read (as `make run` does first)
    assert done.returncode == 0 and "nothing to re-extract" in done.stderr, done.stderr
    assert_one_message(run_cli("refresh", "--db", str(stale), user="nobody"), str(stale), "Permission denied")


def test_a_folder_given_as_the_store_is_a_usage_error(tmp_path):
    for command in ("list", "stats", "export"):
        assert_one_message(run_cli(command, "--db", str(tmp_path)), str(tmp_path), "folder", code=2)


@pytest.fixture()
def small_disk():
    """A 2 MB tmpfs (as root), else None: the caller limits the file size instead."""
    folder = Path(tempfile.mkdtemp(prefix="metrics-full-"))
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True
        ).returncode
        == 0
    )
    yield folder, mounted
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)
    shutil.rmtree(folder, ignore_errors=True)


def test_a_full_disk_is_named_and_the_store_stays_whole(small_disk):
    folder, mounted = small_disk
    db = folder / "metrics.duckdb"
    limit = None
    if mounted:
        (folder / "filler").write_bytes(b"\0" * 1_700_000)  # about 300 KB left
    else:
        limit = 400_000
    done = run_cli("ingest", str(CORPUS), "--db", str(db), "--workers", "1", limit_file_size=limit)
    phrase = "No space left on device"
    assert_one_message(done, str(db), phrase)
    assert "cannot rollback" not in done.stderr.split("metrics: error:")[1].split("(")[0]
    if mounted:
        (folder / "filler").unlink()
        kept = list_documents(db)  # what was committed before the disk filled is intact
        assert len(kept) > 0
        assert len(load_statistics(db)) > 0
        done = run_cli("export", "--db", str(db), "-o", str(folder / "out.xlsx"))
        assert done.returncode == 0, done.stderr


def test_export_to_a_full_disk_names_it(good_store, small_disk):
    folder, mounted = small_disk
    if mounted:
        with (folder / "filler").open("wb") as filler:  # fill it up completely
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError:
                pass
    done = run_cli(
        "export", "--db", str(good_store), "-o", str(folder / "out.csv"), limit_file_size=None if mounted else 1000
    )
    assert_one_message(done, "out.csv", "No space left on device" if mounted else "File too large")


def test_full_disk_errors_are_explained_through_a_failed_rollback():
    try:
        try:
            raise duckdb.TransactionException('Failed to commit: Could not write file "s.wal": No space left on device')
        except duckdb.Error:
            raise duckdb.TransactionException("cannot rollback - no transaction is active") from None
    except duckdb.Error as exc:
        outer = exc
    # `from None` hides the cause from tracebacks but keeps it as __context__
    failure = store_failure(outer, "s.duckdb", action="write")
    assert isinstance(failure, StoreFullError)
    assert "No space left on device" in str(failure)


def test_a_report_longer_than_the_writers_buffer_pool_is_stored_and_refreshed(tmp_path):
    """A writer's DuckDB buffer pool is 32 MB, and DuckDB keeps a value in one block: a 35 MB report was
    refused (out of memory, with a traceback) until a batch's pool grew with its texts."""
    line = "全县公安机关坚持以人民为中心的发展思想，深入推进平安建设，扎实开展各项工作。\n"
    text = line * (35_000_000 // len(line.encode("utf-8"))) + "全年刑事打处2129人、逮捕684人。\n"
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "long.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "metrics.duckdb"
    done = run_cli("ingest", str(tmp_path / "reports"), "--db", str(db))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "2 statistics stored" in done.stderr
    assert len(load_document(db, "long")["text"]) == len(text)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE store_info SET value = 'an older extractor' WHERE key = 'extractor'")
    done = run_cli("refresh", "--db", str(db))
    assert done.returncode == 0 and "re-extracted 1 documents" in done.stderr, done.stderr
    assert len(load_statistics(db)) == 2


def test_a_batch_pool_grows_with_its_texts_and_returns_to_the_writers_size(tmp_path):
    with duckdb.connect(str(tmp_path / "s.duckdb"), config={"memory_limit": WRITER_MEMORY}) as con:

        def limit() -> str:
            return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]

        before = limit()
        with memory_for_batch(con, 10_000_000):  # 30 MB of UTF-8, three times over
            assert limit() != before and limit().startswith(("116", "117", "118"))
        assert limit() == before


def test_out_of_memory_is_named_not_a_traceback(tmp_path):
    with duckdb.connect(str(tmp_path / "s.duckdb"), config={"memory_limit": "1MB"}) as con:
        con.execute("CREATE TABLE t (text VARCHAR)")
        with pytest.raises(duckdb.Error) as raised:
            con.execute("INSERT INTO t VALUES (?)", ["报" * 3_000_000])
    failure = store_failure(raised.value, "s.duckdb", action="write")
    assert isinstance(failure, StoreMemoryError) and failure.kind == "memory"
    assert str(failure).startswith("s.duckdb: out of memory while trying to write the store")


def test_rebuild_makes_a_new_store_and_keeps_the_damaged_file(damaged, tmp_path):
    db = tmp_path / "metrics.duckdb"
    shutil.copy(damaged["junk"], db)
    before = db.read_bytes()
    rebuilt = rebuild_store(db, REPORTS, workers=1)
    assert rebuilt.path == db
    assert rebuilt.kept is not None and rebuilt.kept.read_bytes() == before
    assert len(list_documents(db)) == len(REPORTS)


def test_rebuild_from_the_command_line(damaged, tmp_path):
    db = tmp_path / "metrics.duckdb"
    shutil.copy(damaged["truncated"], db)
    assert run_cli("list", "--db", str(db)).returncode == 1
    done = run_cli("rebuild", *map(str, REPORTS), "--db", str(db), "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "kept as" in done.stderr
    assert run_cli("list", "--db", str(db)).returncode == 0
    assert len(list(tmp_path.glob("metrics.duckdb.damaged-*"))) == 1
