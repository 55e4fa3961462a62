"""One fact once (issue 11) in the store: the shipped reports ingested again by every path a user has
(.txt files, saved web pages with navigation, the dashboard's upload) leave every count unchanged; a
repost with other navigation and a few characters changed is linked to its first copy, not counted; the
near-duplicate index is kept in the store and rebuilt from it; ``series`` and ``check`` on the command line.

Real files, a real DuckDB store, the real extractor (the annotations stand in for it only where a test
says so).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_series import corpus_frame

from metrics.record import COLUMNS
from metrics.store import (
    documents_per_region_year,
    ingest,
    ingest_bytes,
    load_series_points,
    load_statistics,
    statistics_per_category,
)
from metrics.store.database import open_store
from metrics.store.schema import ensure_schema
from metrics.store.series import disagreements
from metrics.store.series_output import describe_disagreement, select_points, series_table
from metrics.store.writing import known_documents
from metrics.views.data import ingest_upload
from support import gov_page

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "data" / "corpus").glob("dev*/*.json"))


def report(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory) -> Path:
    """The shipped corpus (its .json files) ingested once by the real extractor."""
    db = tmp_path_factory.mktemp("corpus") / "corpus.duckdb"
    summary = ingest([ROOT / "data" / "corpus"], db=db, workers=1)
    assert summary.files_read == len(REPORTS) and summary.failed == 0
    return db


@pytest.fixture
def db(corpus_store, tmp_path) -> Path:
    """A copy of the corpus store for one test to add to."""
    copy = tmp_path / "store.duckdb"
    shutil.copy(corpus_store, copy)
    return copy


def counts(db: Path) -> dict:
    """Every count a user sees: statistics (by category), documents per region and year, series points."""
    statistics = load_statistics(db)
    return {
        "statistics": len(statistics),
        "per_category": statistics_per_category(db).to_dict("records"),
        "per_region_year": documents_per_region_year(db).to_dict("records"),
        "stat_ids": sorted(statistics["stat_id"]),
    }


def sources_of(db: Path) -> pd.DataFrame:
    with open_store(db) as con:
        return con.execute("SELECT doc_id, path FROM document_sources ORDER BY doc_id, path").df()


def test_the_same_reports_as_txt_files_are_stored_once_with_their_new_paths(db, tmp_path):
    before = counts(db)
    folder = tmp_path / "txt"
    folder.mkdir()
    for path in REPORTS:
        doc = report(path)
        (folder / f"copy-of-{doc['doc_id']}.txt").write_text(doc["text"], encoding="utf-8")
    summary = ingest([folder], db=db, workers=1)
    assert (summary.files_read, summary.skipped, summary.statistics) == (0, len(REPORTS), 0)
    assert counts(db) == before
    sources = sources_of(db)
    txt = sources[sources["path"].str.endswith(".txt")]
    assert len(txt) == len(REPORTS)
    cangnan = set(sources.loc[sources["doc_id"] == "cangnan-2024", "path"])
    assert {Path(p).name for p in cangnan} == {"cangnan-2024.json", "copy-of-cangnan-2024.txt"}


def test_the_same_reports_as_web_pages_with_navigation_change_no_count(db, tmp_path):
    before = counts(db)
    folder = tmp_path / "html"
    folder.mkdir()
    for path in REPORTS:
        doc = report(path)
        (folder / f"{doc['doc_id']}.html").write_text(gov_page(doc["text"], charset="utf-8"), encoding="utf-8")
    summary = ingest([folder], db=db, workers=1)
    assert summary.failed == 0 and summary.statistics == 0
    assert summary.skipped + summary.linked == len(REPORTS)  # the page's headline makes most of them near
    assert counts(db) == before


def test_the_same_reports_through_the_dashboard_upload_change_no_count(db):
    before = counts(db)
    outcomes = [
        ingest_upload(
            str(db), f"{report(p)['doc_id']}.txt", report(p)["text"].encode("utf-8"), region=None, published=None
        )
        for p in REPORTS
    ]
    assert {o.message_key for o in outcomes} == {"ingest_skipped"}
    assert counts(db) == before
    assert sum(sources_of(db)["path"].str.startswith("upload:")) == len(REPORTS)


def test_ingesting_the_corpus_again_stores_nothing(db):
    before = counts(db)
    again = ingest([ROOT / "data" / "corpus"], db=db, workers=2)
    assert (again.files_read, again.skipped) == (0, len(REPORTS))
    assert counts(db) == before


def repost(text: str) -> str:
    """The report reposted on another site: a headline and navigation lines added, five characters changed."""
    body = text.replace("公安", "公 安", 1).replace("。", ".", 4)
    return "首页 > 新闻中心 > 警务动态\n转载:本网讯\n" + body + "\n【打印本页】【关闭窗口】\n"


def test_a_repost_is_linked_to_its_first_copy_and_not_counted(db):
    before = counts(db)
    doc = report(ROOT / "data" / "corpus" / "dev" / "cangnan-2024.json")
    summary = ingest_bytes("repost.txt", repost(doc["text"]).encode("utf-8"), db=db)
    assert (summary.files_read, summary.linked, summary.statistics) == (1, 1, 0)
    assert counts(db) == before
    with open_store(db) as con:
        linked = con.execute(
            "SELECT doc_id, duplicate_of FROM document_fingerprints WHERE duplicate_of IS NOT NULL"
        ).fetchall()
    assert linked == [("repost", "cangnan-2024")]


def test_a_repost_of_a_repost_in_a_later_run_is_linked_to_the_first_copy(db):
    """The links are read back with the index when a run opens the store: a repost of the repost, nearest
    to it, is linked to the report both repeat, not to the repost."""
    doc = report(ROOT / "data" / "corpus" / "dev" / "cangnan-2024.json")
    related = report(ROOT / "data" / "corpus" / "dev" / "xiamen-2020.json")["text"]  # a page of two articles
    first = repost(doc["text"]) + "\n相关阅读\n" + related
    assert ingest_bytes("repost.txt", first.encode("utf-8"), db=db).linked == 1
    again = first.replace("首页 > 新闻中心", "首页 > 资讯", 1) + "\n分享到:微信 微博"
    assert ingest_bytes("repost-again.txt", again.encode("utf-8"), db=db).linked == 1  # a new run
    with open_store(db) as con:
        linked = con.execute(
            "SELECT doc_id, duplicate_of FROM document_fingerprints WHERE duplicate_of IS NOT NULL ORDER BY doc_id"
        ).fetchall()
    assert linked == [("repost", "cangnan-2024"), ("repost-again", "cangnan-2024")]
    with open_store(db, write=True) as con:
        assert known_documents(con).index.similarities(again)[0][0] == "repost"  # the repost is the nearest


def test_a_different_report_on_the_same_template_is_new(db):
    doc = report(ROOT / "data" / "corpus" / "dev" / "cangnan-2024.json")
    next_year = doc["text"].translate(str.maketrans("0123456789", "3456789012"))
    summary = ingest_bytes("cangnan-next.txt", next_year.encode("utf-8"), db=db)
    assert (summary.files_read, summary.linked) == (1, 0) and summary.statistics > 0


def test_the_index_is_kept_in_the_store_and_rebuilt_from_it(db):
    with open_store(db, write=True) as con:
        documents = con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
        known = known_documents(con)
        assert len(known.index) == documents == len(REPORTS)
        con.execute("DELETE FROM document_fingerprints WHERE doc_id = 'cangnan-2024'")  # a store from before
    with open_store(db, write=True) as con:
        assert len(known_documents(con).index) == documents  # fingerprinted again
        assert con.execute("SELECT count(*) FROM document_fingerprints").fetchall()[0][0] == documents
    doc = report(ROOT / "data" / "corpus" / "dev" / "cangnan-2024.json")
    assert ingest_bytes("again.txt", ("\n\n" + doc["text"]).encode("utf-8"), db=db).skipped == 1


def test_a_large_store_from_before_fingerprints_is_fingerprinted_within_a_writers_memory(tmp_path):
    """A writer's DuckDB pool is 32 MB, and a result of long texts needs far more: the texts of a store
    from before fingerprints (here 60 MB) are read with DuckDB's own limit (at 32 MB: out of memory)."""
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        ensure_schema(con)
        con.execute(
            "INSERT INTO documents (doc_id, path, text, content_hash, ingested_at) "
            "SELECT 'r' || i, '/old/r' || i || '.txt', "
            "repeat('全县公安机关深入推进平安建设，全年破案' || i || '起。', 1000), "
            "sha256(i::VARCHAR), now() FROM range(1200) t(i)"
        )
    with open_store(db, write=True) as con:
        assert len(known_documents(con).index) == 1200
        assert con.execute("SELECT count(*) FROM document_fingerprints").fetchall()[0][0] == 1200


def test_a_changed_file_still_replaces_its_version(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "m.duckdb"
    folder.mkdir()
    (folder / "r.txt").write_text("2024年全年刑事打处2129人。", encoding="utf-8")
    ingest([folder], db=db, workers=1)
    (folder / "r.txt").write_text("2024年全年刑事打处2306人,逮捕701人。", encoding="utf-8")
    summary = ingest([folder], db=db, workers=1)
    assert summary.files_read == 1
    assert sorted(load_statistics(db)["value"]) == [701.0, 2306.0]


# ----------------------------------------------------------------------------------- series, check


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_series_and_check_on_the_command_line(corpus_store, tmp_path):
    """Before the statistics carry measure/scope/region_code the commands say so (exit 2, no traceback);
    once they do, Xiamen's series prints with its reports and exports, and check exits 0."""
    cases = run_cli("series", "--region", "350200", "--measure", "cases", "--db", str(corpus_store))
    check = run_cli("check", "--db", str(corpus_store))
    if "measure" not in COLUMNS:
        for result in (cases, check):
            assert result.returncode == 2 and "Traceback" not in result.stderr
            assert "measure" in result.stderr and "schema v2" in result.stderr
        return
    assert cases.returncode == 0 and check.returncode == 0 and "Traceback" not in cases.stderr + check.stderr
    points = load_series_points(corpus_store)
    xiamen = points[points["region_code"] == "350200"]
    assert len(xiamen)
    measure = sorted(xiamen["measure"])[0]
    shown = run_cli("series", "--region", "350200", "--measure", measure, "--db", str(corpus_store))
    assert shown.returncode == 0 and "xiamen-" in shown.stdout
    out = tmp_path / "xiamen.csv"
    assert (
        run_cli(
            "series", "--region", "350200", "--measure", measure, "--db", str(corpus_store), "-o", str(out)
        ).returncode
        == 0
    )
    assert len(pd.read_csv(out)) == len(xiamen[xiamen["measure"] == measure])
    assert ("xiamen-" in cases.stdout) or ("no series point" in cases.stdout and measure in cases.stdout)
    assert "disagreements" in check.stdout


# What the commands print, on the statistics the store will hold with schema v2's fields (the annotations).


@pytest.fixture(scope="module")
def gold_points() -> pd.DataFrame:
    from metrics.store.series import series_points

    return series_points(corpus_frame())


def test_series_table_of_xiamen_from_the_annotations(gold_points):
    solved = select_points(gold_points, "350200", "solved", "criminal")
    assert "2025" in set(solved["period_label"])
    table = series_table(solved)
    assert "8029" in table and "xiamen-2025" in table and "news.xmnn.cn" in table
    assert select_points(gold_points, "350200", "cases").empty  # the annotations give Xiamen no cases counts


def test_check_finds_the_fuding_traffic_report_contradicting_itself(gold_points):
    flagged = disagreements(gold_points)
    text = "\n".join(describe_disagreement(row) for row in flagged.to_dict("records"))
    assert "桐城辖区发生3起同比减少2起下降66.67%" in text
    assert "≈9 " in text and "≈5 " in text and "fuding-2017-03-traffic" in text


def test_series_points_of_a_store_are_cached_by_its_version(corpus_store, tmp_path):
    if "measure" not in COLUMNS:
        with pytest.raises(Exception, match="schema v2"):
            load_series_points(corpus_store)
        return
    first = load_series_points(corpus_store)
    assert load_series_points(corpus_store).equals(first)


def test_a_store_opened_read_only_before_identity_tables_still_lists(tmp_path):
    """A store written before document_sources existed is still read (the tables come with its next write)."""
    db = tmp_path / "old.duckdb"
    ingest_bytes("r.txt", "全年刑事打处2129人".encode(), db=db)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE document_sources")
    con.execute("DROP TABLE document_fingerprints")
    con.close()
    assert documents_per_region_year(db)["documents"].sum() == 1


# ------------------------------------------------------------- both backends: store file and Parquet dataset


@pytest.fixture(scope="module")
def dask_scheduler():
    """A LocalCluster of 2 worker processes for the module's Dask ingests (the address of its scheduler)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        yield c.scheduler_address


@pytest.fixture(params=["duckdb", "parquet-dataset"])
def backend(request, tmp_path):
    """Ingest into one backend and read it back: a store file (local engine) or the Parquet dataset the Dask
    engine writes beside its store. Gives ``(ingest_into, read_from)``."""
    db, dataset = tmp_path / "m.duckdb", tmp_path / "dataset"
    if request.param == "duckdb":
        return (lambda paths: ingest(paths, db=db, workers=1)), db
    scheduler = request.getfixturevalue("dask_scheduler")
    return (lambda paths: ingest(paths, db=db, engine="dask", scheduler=scheduler, dataset=dataset)), dataset


def copies(tmp_path: Path, reports: list[Path]) -> dict[str, Path]:
    """Each report as its .json, as a .txt of its text and as a web page around it, one folder per form."""
    folders = {form: tmp_path / form for form in ("json", "txt", "html")}
    for folder in folders.values():
        folder.mkdir()
    for path in reports:
        doc = report(path)
        shutil.copy(path, folders["json"] / path.name)
        (folders["txt"] / f"copy-of-{doc['doc_id']}.txt").write_text(doc["text"], encoding="utf-8")
        (folders["html"] / f"{doc['doc_id']}.html").write_text(gov_page(doc["text"], charset="utf-8"), encoding="utf-8")
    return folders


def test_a_report_ingested_again_in_another_form_counts_once_in_either_backend(backend, tmp_path):
    """The same report as .json, .txt and web page: later runs and one run holding all three forms."""
    ingest_into, read_from = backend
    reports = REPORTS[:6]
    folders = copies(tmp_path, reports)
    ingest_into([folders["json"]])
    once = sorted(load_statistics(read_from)["stat_id"])
    assert once
    ingest_into([folders["txt"]])
    ingest_into([folders["html"]])
    assert sorted(load_statistics(read_from)["stat_id"]) == once


def test_one_run_holding_a_report_in_two_forms_counts_it_once_in_either_backend(backend, tmp_path):
    ingest_into, read_from = backend
    folders = copies(tmp_path, REPORTS[:6])
    summary = ingest_into([folders["json"], folders["txt"]])
    assert (summary.files_read, summary.skipped) == (6, 6)
    stat_ids = load_statistics(read_from)["stat_id"]
    assert stat_ids.is_unique and {s.split(":")[0] for s in stat_ids} == {report(p)["doc_id"] for p in REPORTS[:6]}
