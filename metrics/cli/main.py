"""Command line: argument wiring only. ``python -m metrics --help``."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from metrics.errors import InputError, UsageError

# Modules that add subcommands of their own: each has register(subparsers).
COMMAND_MODULES = ("metrics.cli.store_commands",)


def iso_date(value: str) -> str:
    """argparse type for --published: YYYY-MM-DD, returned as given."""
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def text_argument(value: str) -> str:
    """argparse type for text flags (--region): under an ASCII locale Python keeps the UTF-8 bytes of
    the argument as lone surrogates, which no output can encode; read them as UTF-8."""
    from metrics.sources.files import name_as_text

    return name_as_text(value)


def cmd_extract(args: argparse.Namespace) -> int:
    """Extract statistics from text files (or directories of them); CSV on stdout without -o."""
    from metrics import to_frame
    from metrics.extraction.pipeline import extract_parts_warning_to
    from metrics.store.exports import output_format, table_writer
    from metrics.sources.files import read_documents

    if args.output:
        output_format(args.output)  # refuse an unknown extension before reading anything
    failed = 0
    with table_writer(args.output, to_frame([])) as write:
        for doc in read_documents(args.paths):
            if isinstance(doc, InputError):
                print(f"metrics: {doc}", file=sys.stderr)
                failed += 1
                continue
            for records in extract_parts_warning_to(doc.path, doc.text, published=args.published or doc.published,
                                                    region=args.region or doc.region, doc_id=doc.doc_id):
                write(to_frame(records))  # part by part: a 50 MB report never sits in memory as rows
    return 1 if failed else 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score the extractor on a folder of annotated reports (SCHEMA.md format)."""
    from metrics.extraction.evaluate import evaluate_dir, format_report

    folder = Path(args.directory)
    if not folder.is_dir() or not any(folder.glob("*.json")):
        raise UsageError(f"no annotated reports (*.json) in {args.directory}")
    report = evaluate_dir(folder)
    print(format_report(report, verbose=args.verbose))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m metrics",
                                     description="Statistics from Chinese police reports, as a table.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help=cmd_extract.__doc__, description=cmd_extract.__doc__)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("-o", "--output", metavar="OUT", help="output file: .csv, .jsonl or .parquet")
    p.add_argument("--published", type=iso_date, help="publication date YYYY-MM-DD (else read from the text)")
    p.add_argument("--region", type=text_argument, help="jurisdiction the reports speak for")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("eval", help=cmd_eval.__doc__, description=cmd_eval.__doc__)
    p.add_argument("directory", metavar="DIR")
    p.add_argument("-v", "--verbose", action="store_true", help="list misses and false finds")
    p.set_defaults(func=cmd_eval)

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (0 ok, 1 some inputs failed, 2 usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"metrics: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (| head): end quietly, and keep Python from complaining at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("metrics: interrupted", file=sys.stderr)
        return 130
