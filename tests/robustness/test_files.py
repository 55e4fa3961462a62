"""Files: every odd thing a directory can hold is either read once or named on stderr with a reason.

One directory of generated oddities goes through ``python -m metrics extract`` in a child process under
a time bound (a FIFO or /dev/zero that were opened and read would hang it) and a memory bound. Root
reads any file whatever its mode, so "unreadable" is made real with a link to /proc/self/mem, whose
first page is unmapped: reading it fails with EIO.
"""

from __future__ import annotations

import json

import pytest

from harness import REPORT, run_cli
from metrics.cli import main
from metrics.sources import files as reader
from oddities import BAD, EMPTY, ODD_NAMES, ROWS_PER_REPORT


@pytest.mark.timeout(180)
def test_every_odd_file_is_read_once_or_named_with_a_reason(odd_directory, tmp_path):
    out = tmp_path / "out.jsonl"
    run = run_cli("extract", str(odd_directory), "-o", str(out), timeout=120, max_mb=1000)
    assert run.returncode == 1  # some inputs failed, the rest was written
    assert "Traceback" not in run.stderr
    for name, (_, reason) in BAD.items():
        assert f"{odd_directory / name}: {reason}" in run.stderr, name
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    per_doc: dict[str, int] = {}
    for row in rows:
        per_doc[row["doc_id"]] = per_doc.get(row["doc_id"], 0) + 1
    expected = {doc_id: ROWS_PER_REPORT for doc_id in ODD_NAMES.values()}
    expected.update({"inner": ROWS_PER_REPORT, "deep": ROWS_PER_REPORT})
    assert per_doc == expected  # each read exactly once, empty files give nothing
    for name in EMPTY:
        assert name not in run.stderr  # an empty report is not an error


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["fifo.txt", "zero.txt", "eio.txt"])
def test_a_special_file_named_directly_never_blocks(odd_directory, name):
    run = run_cli("extract", str(odd_directory / name), timeout=30, max_mb=800)
    assert run.returncode == 1
    assert BAD[name][1] in run.stderr
    assert run.stdout.decode("utf-8-sig").count("\n") == 1  # the header alone


def test_a_parser_failure_on_one_file_is_named_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(REPORT, encoding="utf-8")
    real = reader.document_from_bytes

    def flaky(raw, *, name, path=None):
        if name == "a.txt":
            raise RecursionError("parser gave up")
        return real(raw, name=name, path=path)

    monkeypatch.setattr(reader, "document_from_bytes", flaky)
    assert main(["extract", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert f"{tmp_path / 'a.txt'}: unreadable: RecursionError: parser gave up" in captured.err
    assert captured.out.count("\nb,") == ROWS_PER_REPORT


def test_a_legacy_doctype_page_is_read(tmp_path):
    """<!DOCTYPE html SYSTEM "about:legacy-compat"> is valid HTML5; lexbor cannot clone such a tree."""
    page = tmp_path / "legacy.html"
    page.write_text(
        f'<!DOCTYPE html SYSTEM "about:legacy-compat"><html><body><p>{REPORT}</p></body></html>', encoding="utf-8"
    )
    doc = reader.read_document(page)
    assert REPORT.strip() in doc.text
