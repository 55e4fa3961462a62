"""Issue 16, finding 3 (store side): users must not overwrite each other.

- five sessions pasting different texts under the default name keep five documents;
- a correction names its statistic by content (hash, span, first value): when the document it was made
  on is replaced, it does not land on the statistic that now has the same stat_id, and a correction of
  a statistic that is gone is refused with a message;
- two sessions correcting one row at once: the second, which saw the old value, is refused with the
  current value; the log keeps who made each correction and the value it replaced.
"""

from __future__ import annotations

import threading

import pytest

from metrics.errors import StaleCorrection, StatisticGone
from metrics.store import (
    add_correction,
    ingest_bytes,
    ingest_upload_bytes,
    list_corrections,
    list_documents,
    load_statistics,
)

A_TEXT = "全年刑事打处2129人、逮捕684人。"
B_TEXT = "全年电诈立案5000起、破案684起。"  # same spans, other figures: the same stat_ids as A_TEXT


def test_pastes_under_the_default_name_keep_every_document(tmp_path):
    db = tmp_path / "s.duckdb"
    texts = [f"全年刑事打处{2000 + n}人。" for n in range(5)]
    summaries = [ingest_upload_bytes("pasted-report.txt", t.encode(), db=db) for t in texts]
    assert [s.files_read for s in summaries] == [1] * 5
    documents = list_documents(db)
    assert len(documents) == 5
    assert documents["doc_id"].nunique() == 5
    assert not (documents["doc_id"] == "pasted-report").any()
    again = ingest_upload_bytes("other-name.txt", texts[0].encode(), db=db)  # same text: one document
    assert again.skipped == 1 and len(list_documents(db)) == 5


def test_a_correction_does_not_move_to_the_statistic_that_replaced_it(tmp_path):
    db = tmp_path / "s.duckdb"
    ingest_bytes("pasted-report.txt", A_TEXT.encode(), db=db)  # the old default, one shared id
    a_rows = load_statistics(db)
    first = a_rows.iloc[0]
    add_correction(db, first["stat_key"], "deleted", True, seen=False, author="A")
    ingest_bytes("pasted-report.txt", B_TEXT.encode(), db=db)  # B replaces A under the same doc_id
    b_rows = load_statistics(db)
    assert first["stat_id"] in set(b_rows["stat_id"])  # the same position ...
    assert len(b_rows) == len(a_rows)  # ... is not hidden by A's mark
    assert not b_rows["corrected"].any()
    with pytest.raises(StatisticGone, match="no longer exists"):
        add_correction(db, first["stat_key"], "value", 1, seen=first["value"], author="A")
    log = list_corrections(db)
    assert list(log["applies"]) == [False]


def test_a_stale_correction_is_refused_with_the_current_value(tmp_path):
    db = tmp_path / "s.duckdb"
    ingest_upload_bytes("r.txt", A_TEXT.encode(), db=db)
    row = load_statistics(db).iloc[0]
    seen = float(row["value"])
    add_correction(db, row["stat_key"], "value", 2130, seen=seen, author="A")
    with pytest.raises(StaleCorrection) as refused:
        add_correction(db, row["stat_key"], "value", 2200, seen=seen, author="B")
    assert refused.value.current == repr(2130.0)
    assert "2130" in str(refused.value)
    add_correction(db, row["stat_key"], "value", 2200, seen=2130, author="B")  # B, having seen A's value
    assert load_statistics(db).set_index("stat_key").loc[row["stat_key"], "value"] == 2200
    log = list_corrections(db)
    assert list(log["author"]) == ["A", "B"]
    assert list(log["old_value"]) == [repr(seen), repr(2130.0)]


def test_two_sessions_at_once_one_wins_the_other_is_told(tmp_path):
    db = tmp_path / "s.duckdb"
    ingest_upload_bytes("r.txt", A_TEXT.encode(), db=db)
    row = load_statistics(db).iloc[0]
    outcomes, start = {}, threading.Barrier(2)

    def session(name: str, value: float) -> None:
        start.wait()
        try:
            add_correction(db, row["stat_key"], "value", value, seen=float(row["value"]), author=name)
            outcomes[name] = "saved"
        except StaleCorrection as exc:
            outcomes[name] = exc.current

    threads = [threading.Thread(target=session, args=(n, v)) for n, v in (("A", 1.0), ("B", 2.0))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values(), key=str).count("saved") == 1
    assert len(list_corrections(db)) == 1


def test_the_old_stat_id_api_still_works(tmp_path):
    db = tmp_path / "s.duckdb"
    ingest_upload_bytes("r.txt", A_TEXT.encode(), db=db)
    row = load_statistics(db).iloc[0]
    add_correction(db, row["stat_id"], "category", "drugs")
    assert load_statistics(db).set_index("stat_id").loc[row["stat_id"], "category"] == "drugs"
    with pytest.raises(ValueError):
        add_correction(db, "no-such:1:2", "value", "1")
