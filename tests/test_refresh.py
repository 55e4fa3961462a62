"""A store extracted by an older extractor is re-extracted by `metrics refresh` (and `make run`): its
statistics become the current extractor's, row for row what a fresh ingest gives, and nothing else stored
is lost (documents, uploads, sources, fingerprints, near-duplicate links, corrections)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import metrics.store.schema as schema
from metrics.errors import StoreMissingError
from metrics.store import add_correction, ingest, ingest_bytes, load_statistics
from metrics.store.refresh import refresh_store
from metrics.store.schema import extractor_version
from support import CORPUS, gov_page

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted(CORPUS.glob("*.json"))[:8]
UPLOADED = "全年刑事打处2129人、逮捕684人,分别同比上升7.8%、42.2%。破获电信网络诈骗案件426起。"


def table(db: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def statistics(db: Path) -> pd.DataFrame:
    return table(db, "SELECT * FROM statistics ORDER BY stat_id")


def kept(db: Path) -> dict[str, pd.DataFrame]:
    """Everything a refresh must leave as it is."""
    return {
        name: table(db, f"SELECT * FROM {name} ORDER BY ALL")
        for name in ("documents", "document_sources", "document_fingerprints", "corrections")
    }


@pytest.fixture
def store(tmp_path) -> Path:
    """A store of eight reports, one uploaded text, and a government page reposting the first report (a
    near-duplicate: linked, no statistics of its own)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in REPORTS:
        shutil.copy(path, folder / path.name)
    first = json.loads(REPORTS[0].read_text(encoding="utf-8"))["text"]
    (folder / "repost.html").write_text(gov_page(first, charset="utf-8"), encoding="utf-8")
    db = tmp_path / "m.duckdb"
    assert ingest([folder], db=db, workers=1).failed == 0
    assert ingest_bytes("pasted-report.txt", UPLOADED.encode("utf-8"), db=db).failed == 0
    return db


def as_if_an_older_extractor_wrote(db: Path) -> None:
    """What a store written before a rule changed looks like: another version, and statistics the current
    extractor would not give (one document's missing, one value different)."""
    con = duckdb.connect(str(db))
    try:
        con.execute("UPDATE store_info SET value = 'older' WHERE key = 'extractor'")
        doc_ids = [row[0] for row in con.execute("SELECT DISTINCT doc_id FROM statistics ORDER BY 1").fetchall()]
        con.execute("DELETE FROM statistics WHERE doc_id = ?", [doc_ids[0]])
        con.execute(
            "UPDATE statistics SET value = value + 1 "
            "WHERE stat_id = (SELECT min(stat_id) FROM statistics WHERE doc_id = ?)",
            [doc_ids[1]],
        )
    finally:
        con.close()


def test_a_new_store_records_the_extractor_that_wrote_it(store):
    assert table(store, "SELECT value FROM store_info WHERE key = 'extractor'").value.tolist() == [extractor_version()]
    assert refresh_store(store).current


def test_refresh_gives_what_a_fresh_ingest_gives_and_keeps_everything_else(store):
    fresh = statistics(store)
    stat_key = load_statistics(store).query("value.notna()").stat_key.iloc[-1]
    add_correction(store, stat_key, "category", "drugs", author="tester")
    before = kept(store)
    as_if_an_older_extractor_wrote(store)
    assert not statistics(store).equals(fresh)

    refreshed = refresh_store(store)

    assert (refreshed.current, refreshed.after, refreshed.failures) == (False, len(fresh), ())
    assert refreshed.documents == len(REPORTS) + 1  # the near-duplicate holds no statistics: not re-extracted
    pd.testing.assert_frame_equal(statistics(store), fresh)
    after = kept(store)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)
    corrected = load_statistics(store).set_index("stat_key")
    assert corrected.loc[stat_key, "category"] == "drugs"  # the correction found its statistic again
    assert refresh_store(store).current  # recorded: the next refresh has nothing to do


def test_a_store_from_before_the_record_is_refreshed(store):
    fresh = statistics(store)
    con = duckdb.connect(str(store))
    con.execute("DROP TABLE store_info")
    con.execute("DELETE FROM statistics WHERE doc_id = (SELECT min(doc_id) FROM statistics)")
    con.close()
    refreshed = refresh_store(store)
    assert not refreshed.current and refreshed.after == len(fresh)
    pd.testing.assert_frame_equal(statistics(store), fresh)


def test_the_version_changes_with_a_pattern_file(tmp_path, monkeypatch):
    patterns = tmp_path / "patterns"
    shutil.copytree(schema.PATTERN_DIR, patterns)
    monkeypatch.setattr(schema, "PATTERN_DIR", patterns)
    assert schema.extractor_version.__wrapped__() == extractor_version()
    changes = patterns / "changes.yaml"
    changes.write_text(changes.read_text(encoding="utf-8") + "\n# a user's comment\n", encoding="utf-8")
    assert schema.extractor_version.__wrapped__() != extractor_version()


def test_no_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreMissingError):
        refresh_store(tmp_path / "none.duckdb")
    assert not (tmp_path / "none.duckdb").exists()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True)


def test_the_command_line_says_what_it_did(store, tmp_path):
    as_if_an_older_extractor_wrote(store)
    done = run_cli("refresh", "--db", str(store))
    assert done.returncode == 0 and f"re-extracted {len(REPORTS) + 1} documents" in done.stderr
    again = run_cli("refresh", "--db", str(store))
    assert again.returncode == 0 and "nothing to re-extract" in again.stderr
    missing = run_cli("refresh", "--db", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert missing.stderr.strip().splitlines() == [
        f"metrics: error: no store at {tmp_path / 'none.duckdb'}: run `python -m metrics ingest data/corpus` first"
    ]
    as_if_an_older_extractor_wrote(store)
    added = tmp_path / "added.txt"
    added.write_text(UPLOADED.replace("2129", "2306"), encoding="utf-8")
    ingested = run_cli("ingest", str(added), "--db", str(store))
    assert ingested.returncode == 0 and f"metrics refresh --db {store}` re-extracts them" in ingested.stderr
    assert "re-extracts them" not in run_cli("ingest", str(added), "--db", str(tmp_path / "new.duckdb")).stderr
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"not a database" * 1000)
    broken = run_cli("refresh", "--db", str(damaged))
    assert broken.returncode == 1 and "Traceback" not in broken.stderr and str(damaged) in broken.stderr


def test_make_run_refreshes_the_store_before_it_opens_the_dashboard():
    printed = subprocess.run(
        ["make", "-n", "-W", "setup", "-W", "data/metrics.duckdb", "run"], cwd=ROOT, capture_output=True, text=True
    ).stdout.replace("\\\n", " ")
    lines = [line for line in printed.splitlines() if "metrics refresh" in line or "streamlit run" in line]
    assert len(lines) == 2 and "metrics refresh --db data/metrics.duckdb" in lines[0] and "streamlit" in lines[1]
