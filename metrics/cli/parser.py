"""Command line: argument wiring only. ``python -m metrics --help``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from metrics.cli.arguments import iso_date, positive_int, text_argument, year
from metrics.cli.store_commands import (
    cmd_check,
    cmd_export,
    cmd_ingest,
    cmd_list,
    cmd_rebuild,
    cmd_refresh,
    cmd_series,
    cmd_stats,
)
from metrics.errors import InputError, StoreError, UsageError
from metrics.extraction.evaluate import evaluate_dir, format_report
from metrics.sources.files import read_documents
from metrics.store import DEFAULT_DB
from metrics.store.failures import store_failure
from metrics.store.pool import extract_parts_reporting

WRITE_BATCH = 20_000  # records: many small files are written as one frame, not a frame (and a pandas pass) each


def cmd_extract(args: argparse.Namespace) -> int:
    """Extract statistics from text files (or directories of them); CSV on stdout without -o."""
    from metrics.extraction.frame import to_frame  # pandas only for the commands that write frames
    from metrics.store.exports import output_format, table_writer

    if args.output:
        output_format(args.output)  # refuse an unknown extension before reading anything
    failed = 0
    pending: list = []
    with table_writer(args.output, to_frame([])) as write:
        for doc in read_documents(args.paths):
            if isinstance(doc, InputError):
                print(f"metrics: {doc}", file=sys.stderr)
                failed += 1
                continue
            for records in extract_parts_reporting(
                doc.path,
                doc.text,
                published=args.published or doc.published,
                region=args.region or doc.region,
                doc_id=doc.doc_id,
                source=doc.source,
            ):
                pending.extend(records)  # part by part: a 50 MB report never sits in memory as rows
                if len(pending) >= WRITE_BATCH:
                    write(to_frame(pending))
                    pending = []
        if pending:
            write(to_frame(pending))
    return 1 if failed else 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score the extractor on a folder of annotated reports (SCHEMA.md format)."""
    folder = Path(args.directory)
    if not folder.is_dir() or not any(folder.glob("*.json")):
        raise UsageError(f"no annotated reports (*.json) in {args.directory}")
    report = evaluate_dir(folder)
    print(format_report(report, verbose=args.verbose))
    return 0


def _command(sub: argparse._SubParsersAction, name: str, func) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=func.__doc__, description=func.__doc__)
    parser.set_defaults(func=func)
    return parser


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=str(DEFAULT_DB), metavar="PATH", help=f"store file (default {DEFAULT_DB})")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: every subcommand and its arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m metrics", description="Statistics from Chinese police reports, as a table."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = _command(sub, "extract", cmd_extract)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("-o", "--output", metavar="OUT", help="output file: .csv, .jsonl or .parquet")
    p.add_argument("--published", type=iso_date, help="publication date YYYY-MM-DD (else read from the text)")
    p.add_argument("--region", type=text_argument, help="jurisdiction the reports speak for")

    p = _command(sub, "eval", cmd_eval)
    p.add_argument("directory", metavar="DIR")
    p.add_argument("-v", "--verbose", action="store_true", help="list misses and false finds")

    p = _command(sub, "ingest", cmd_ingest)
    p.add_argument("paths", nargs="+", metavar="PATH")
    _add_db(p)
    p.add_argument("--region", type=text_argument, help="jurisdiction the reports speak for (overrides the guess)")
    p.add_argument("--published", type=iso_date, help="publication date YYYY-MM-DD (overrides the document's)")
    p.add_argument(
        "--workers",
        type=positive_int,
        help="worker processes (default: number of cores; with --engine dask and no --scheduler: "
        "workers of the local cluster, default 2)",
    )
    p.add_argument(
        "--engine",
        choices=("local", "dask"),
        help="local: a process pool on this machine (default); dask: a Dask cluster (needs requirements-dask.txt)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --engine dask; without it "
        "--engine dask starts a local cluster)",
    )
    p.add_argument(
        "--output-dataset",
        metavar="DIR",
        help="with --engine dask: where the Parquet dataset goes (default: a folder next to "
        "the store, e.g. data/metrics-dataset); workers must reach it under the same path",
    )

    p = _command(sub, "export", cmd_export)
    _add_db(p)
    p.add_argument("-o", "--output", metavar="OUT", help="output file: .csv, .xlsx, .jsonl or .parquet")
    p.epilog = "--db may also name a Parquet dataset folder written by ingest --engine dask."
    p.add_argument("--category", nargs="+", metavar="KEY", help="only these categories (e.g. drugs criminal)")
    p.add_argument("--year", nargs="+", type=year, metavar="YYYY", help="only these periods")
    p.add_argument("--region", nargs="+", type=text_argument, metavar="NAME", help="only these regions")

    p = _command(sub, "series", cmd_series)
    p.add_argument("--region", required=True, type=text_argument, metavar="CODE", help="region code, e.g. 350200")
    p.add_argument("--measure", required=True, type=text_argument, help="what is measured, e.g. cases, solved")
    p.add_argument("--category", type=text_argument, metavar="KEY", help="only this category (e.g. criminal)")
    p.add_argument("-o", "--output", metavar="OUT", help="write the points to .csv, .xlsx, .jsonl or .parquet")
    _add_db(p)
    p.epilog = "--db may also name a Parquet dataset folder written by ingest --engine dask."

    p = _command(sub, "rebuild", cmd_rebuild)
    p.add_argument("paths", nargs="+", metavar="PATH", help="the reports to build the store from")
    _add_db(p)
    p.add_argument("--workers", type=positive_int, help="worker processes (default: number of cores)")

    for name, func in (("list", cmd_list), ("stats", cmd_stats), ("check", cmd_check), ("refresh", cmd_refresh)):
        _add_db(_command(sub, name, func))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (0 ok, 1 some inputs failed or the store or disk failed,
    2 usage error). Every failure is one line on stderr, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"metrics: error: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"metrics: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            return _quiet_broken_pipe()
        # an output file or folder that cannot be written (a full disk, no permission): name it
        target = getattr(args, "output", None) or exc.filename
        where = f" {target}" if target else ""
        print(f"metrics: error: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a database error outside open_store (a Parquet dataset, a temp file)
        failure = store_failure(exc, getattr(args, "db", "") or "", action="read")
        if failure is None:
            raise
        print(f"metrics: error: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("metrics: interrupted", file=sys.stderr)
        return 130


def _quiet_broken_pipe() -> int:
    """The reader went away (| head): end quietly, and keep Python from complaining at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0
