"""Store: idempotent re-ingest, replacement of changed files, corrections, kill -9 and concurrent readers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from metrics import extract, to_frame
from metrics.errors import StoreMissingError
from metrics.store import (
    BATCH_SIZE,
    add_correction,
    ingest,
    ingest_bytes,
    list_corrections,
    load_document,
    load_statistics,
    store_version,
    undo_correction,
)
from support import CORPUS, assert_same_store, gov_page, grounded_rows, shipped_report, snapshot, write_reports

ROOT = Path(__file__).resolve().parent.parent


def test_ingest_corpus_then_reingest_is_idempotent(tmp_path):
    db = tmp_path / "m.duckdb"
    first = ingest([CORPUS], db=db, workers=2)
    assert (first.files_read, first.failed) == (len(list(CORPUS.glob("*.json"))), 0)
    before = snapshot(db)
    again = ingest([CORPUS], db=db, workers=1)
    assert (again.files_read, again.skipped, again.statistics) == (0, first.files_read, 0)
    for left, right in zip(before, snapshot(db)):
        pd.testing.assert_frame_equal(left, right)


def test_stored_statistics_equal_extract_on_stored_text(tmp_path):
    db = tmp_path / "m.duckdb"
    ingest([CORPUS / "cangnan-2024.json", CORPUS / "fujian-2021-trad.json"], db=db, workers=1)
    stats = load_statistics(db)
    for doc_id, rows in stats.groupby("doc_id"):
        doc = load_document(db, doc_id)
        assert grounded_rows(rows, doc["text"])
        expected = to_frame(extract(doc["text"], published=doc["published"], region=doc["region"], doc_id=doc_id))
        assert (
            rows[["surface", "start", "end", "value"]]
            .reset_index(drop=True)
            .equals(expected[["surface", "start", "end", "value"]])
        )
        assert list(rows["stat_id"]) == [f"{doc_id}:{s}:{e}" for s, e in zip(rows.start, rows.end)]


def test_changed_file_replaces_its_rows(tmp_path):
    db, report = tmp_path / "m.duckdb", tmp_path / "r.txt"
    report.write_text("全年刑事打处2129人、逮捕684人", encoding="utf-8")
    ingest([report], db=db, workers=1)
    report.write_text("全年刑事打处100人", encoding="utf-8")
    summary = ingest([report], db=db, workers=1)
    assert (summary.files_read, summary.skipped) == (1, 0)
    assert load_statistics(db)["surface"].tolist() == to_frame(extract("全年刑事打处100人"))["surface"].tolist()


def test_same_name_in_two_folders_keeps_both(tmp_path):
    db = tmp_path / "m.duckdb"
    for folder, text in (("a", "破案12起"), ("b", "破案34起")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(text, encoding="utf-8")
    ingest([tmp_path / "a", tmp_path / "b"], db=db, workers=1)
    assert sorted(load_statistics(db)["surface"]) == sorted(to_frame(extract("破案12起破案34起"))["surface"])


def test_ingest_bytes_of_a_gbk_page_and_of_junk(tmp_path):
    db = tmp_path / "m.duckdb"
    page = gov_page(shipped_report("cangnan-2024")["text"], charset="gbk").encode("gb18030")
    summary = ingest_bytes("upload.html", page, db=db)
    assert (summary.files_read, summary.failed) == (1, 0)
    doc = load_document(db, "upload")
    assert doc["encoding"] == "gb18030" and doc["published"] == "2025-01-10"
    assert ingest_bytes("upload.html", page, db=db).skipped == 1
    junk = ingest_bytes("x.txt", b"\x00\x01binary", db=db)
    assert junk.failed == 1 and "binary" in junk.failures[0].reason
    assert set(load_statistics(db)["doc_id"]) == {"upload"}


def test_corrections_apply_undo_and_change_the_version(tmp_path):
    db = tmp_path / "m.duckdb"
    ingest([CORPUS / "cangnan-2024.json"], db=db, workers=1)
    stats = load_statistics(db)
    first, second = stats["stat_id"].iloc[0], stats["stat_id"].iloc[1]
    versions = [store_version(db)]
    fixes = [
        add_correction(db, first, "value", "42"),
        add_correction(db, first, "category", "drugs"),
        add_correction(db, first, "period", 2023),
        add_correction(db, second, "deleted", True),
    ]
    versions.append(store_version(db))
    corrected = load_statistics(db).set_index("stat_id")
    assert second not in corrected.index
    assert corrected.loc[first, ["value", "category", "period", "corrected"]].tolist() == [42.0, "drugs", 2023, True]
    assert not corrected.drop(index=first)["corrected"].any()
    for correction_id in fixes:
        undo_correction(db, correction_id)
    versions.append(store_version(db))
    pd.testing.assert_frame_equal(load_statistics(db).drop(columns="corrected"), stats.drop(columns="corrected"))
    assert list_corrections(db)["undone"].all()
    assert len(set(versions)) == 3


BAD_CORRECTIONS = [
    ("colour", "red"),
    ("value", "lots"),
    ("value", "inf"),
    ("period", "1066"),
    ("deleted", "maybe"),
    ("category", ""),
]


@pytest.mark.parametrize("field, value", BAD_CORRECTIONS)
def test_bad_corrections_are_refused(tmp_path, field, value):
    db = tmp_path / "m.duckdb"
    ingest_bytes("r.txt", "全年刑事打处2129人".encode(), db=db)
    stat_id = load_statistics(db)["stat_id"].iloc[0]
    with pytest.raises(ValueError):
        add_correction(db, stat_id, field, value)
    with pytest.raises(ValueError):
        add_correction(db, "no-such:1:2", "value", "1")


def test_reading_a_missing_store_says_what_to_run(tmp_path):
    with pytest.raises(StoreMissingError, match="ingest"):
        load_statistics(tmp_path / "none.duckdb")
    assert store_version(tmp_path / "none.duckdb") == "missing"


KILLED_INGEST = textwrap.dedent("""
    import pathlib, sys, time
    import metrics.store.pool as store
    source, db, marker = sys.argv[1:4]
    original, batches = store.write_documents, [0]
    def write_then_hang(con, items, *rest):
        batches[0] += 1
        if batches[0] == 2:            # half-way through the second batch's transaction: hang, get killed
            con.execute("BEGIN TRANSACTION")
            con.execute("INSERT INTO documents (doc_id, content_hash) VALUES ('half-written', 'x')")
            con.execute("DELETE FROM statistics")
            pathlib.Path(marker).touch()
            time.sleep(600)
        return original(con, items, *rest)
    store.write_documents = write_then_hang
    store.ingest_local([source], store.IngestOptions(db=db, workers=1))
""")


def test_kill_9_mid_ingest_then_rerun_equals_one_clean_run(tmp_path):
    source = tmp_path / "reports"
    write_reports(source, 60)
    db, marker = tmp_path / "killed.duckdb", tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", KILLED_INGEST, str(source), str(db), str(marker)], cwd=ROOT)
    try:
        for _ in range(1200):  # wait (bounded) until the child is inside a transaction
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), "the child never reached the half-written transaction"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    docs, _ = snapshot(db)
    assert "half-written" not in set(docs["doc_id"]) and len(docs) == BATCH_SIZE
    rerun = ingest([source], db=db, workers=2)
    assert (rerun.files_read, rerun.skipped) == (60 - BATCH_SIZE, BATCH_SIZE)
    clean = tmp_path / "clean.duckdb"
    ingest([source], db=clean, workers=1)
    assert_same_store(db, clean)


READER_LOOP = textwrap.dedent("""
    import json, sys, time
    from metrics.errors import StoreMissingError
    from metrics.store import list_documents, load_statistics
    db, stop = sys.argv[1:3]
    import pathlib
    snapshots = []
    while not pathlib.Path(stop).exists():
        try:
            stats = load_statistics(db)
            docs = list_documents(db)
        except StoreMissingError:
            continue
        per_doc = stats.groupby("doc_id").size().to_dict()
        snapshots.append({"docs": docs["doc_id"].tolist(), "per_doc": per_doc,
                          "dupes": int(stats["stat_id"].duplicated().sum())})
    print(json.dumps(snapshots))
""")


def test_readers_in_another_process_never_fail_while_ingest_writes(tmp_path):
    source = tmp_path / "reports"
    write_reports(source, 150)
    db, stop = tmp_path / "m.duckdb", tmp_path / "stop"
    ingest([CORPUS / "cangnan-2024.json"], db=db, workers=1)  # the store exists before reading starts
    reader = subprocess.Popen(
        [sys.executable, "-c", READER_LOOP, str(db), str(stop)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        summary = ingest([source], db=db, workers=2)
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err
    assert summary.files_read == 150 and summary.failed == 0
    final = load_statistics(db).groupby("doc_id").size().to_dict()
    import json

    snapshots = json.loads(out)
    assert snapshots, "the reader read at least once"
    for snap in snapshots:
        assert snap["dupes"] == 0
        assert set(snap["per_doc"]) <= set(snap["docs"])
        for doc_id, count in snap["per_doc"].items():
            assert count == final[doc_id]  # a document is there whole or not at all
    counts = [len(s["docs"]) for s in snapshots]
    assert counts == sorted(counts)  # nothing ever disappears
