"""Store subcommands: ``ingest``, ``export``, ``list``, ``stats`` (argument wiring only; see metrics.store.database)."""

from __future__ import annotations

import argparse
import sys

from metrics.cli.main import text_argument
from metrics.errors import UsageError

def positive_int(value: str) -> int:
    """argparse type for --workers: a whole number of at least 1."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return int(value)


def year(value: str) -> int:
    """argparse type for --year: a four-digit year."""
    if not (value.isdigit() and len(value) == 4):
        raise argparse.ArgumentTypeError(f"not a year (YYYY): {value!r}")
    return int(value)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Read, extract and store reports (files or directories); unchanged files are skipped."""
    from metrics.store.database import EngineError, StoreBusyError, ingest

    engine = args.engine or ("dask" if args.scheduler else "local")
    if engine == "local" and args.output_dataset:
        raise UsageError("--output-dataset needs --engine dask")
    try:
        summary = ingest(args.paths, db=args.db, region=args.region, published=args.published,
                         workers=args.workers, progress=True, engine=engine, scheduler=args.scheduler,
                         dataset=args.output_dataset)
    except (StoreBusyError, EngineError) as exc:
        print(f"metrics: {exc}", file=sys.stderr)
        return 1
    for failure in summary.failures:
        print(f"metrics: {failure}", file=sys.stderr)
    print(f"metrics: {summary.line()}", file=sys.stderr)
    return 1 if summary.failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the stored statistics, with corrections applied, as .csv .xlsx .jsonl or .parquet (CSV on stdout)."""
    from metrics.store.exports import output_format, write_table
    from metrics.store.database import load_statistics

    if args.output:
        output_format(args.output)  # refuse an unknown extension before touching the store
    frame = load_statistics(args.db, categories=args.category, years=args.year, regions=args.region)
    write_table(frame, args.output)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """List the stored documents with their region, date, title and number of statistics."""
    from metrics.store.database import list_documents

    frame = list_documents(args.db)
    print(frame.to_string(index=False) if len(frame) else "(the store holds no documents)")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """What the store holds: documents per region and year, statistics per category."""
    from metrics.store.database import documents_per_region_year, statistics_per_category

    print("Documents per region and year:")
    print(documents_per_region_year(args.db).to_string(index=False))
    print("\nStatistics per category (corrections applied):")
    print(statistics_per_category(args.db).to_string(index=False))
    return 0


def _add_db(parser: argparse.ArgumentParser) -> None:
    from metrics.store.database import DEFAULT_DB

    parser.add_argument("--db", default=str(DEFAULT_DB), metavar="PATH", help=f"store file (default {DEFAULT_DB})")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the store subcommands to the main parser (called by metrics.cli.build_parser)."""
    from metrics.cli.main import iso_date

    p = subparsers.add_parser("ingest", help=cmd_ingest.__doc__, description=cmd_ingest.__doc__)
    p.add_argument("paths", nargs="+", metavar="PATH")
    _add_db(p)
    p.add_argument("--region", type=text_argument, help="jurisdiction the reports speak for (overrides the guess)")
    p.add_argument("--published", type=iso_date, help="publication date YYYY-MM-DD (overrides the document's)")
    p.add_argument("--workers", type=positive_int,
                   help="worker processes (default: number of cores; with --engine dask and no --scheduler: "
                        "workers of the local cluster, default 2)")
    p.add_argument("--engine", choices=("local", "dask"),
                   help="local: a process pool on this machine (default); dask: a Dask cluster "
                        "(needs requirements-dask.txt)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --engine dask; without it "
                        "--engine dask starts a local cluster)")
    p.add_argument("--output-dataset", metavar="DIR",
                   help="with --engine dask: where the Parquet dataset goes (default: a folder next to "
                        "the store, e.g. data/metrics-dataset); workers must reach it under the same path")
    p.set_defaults(func=cmd_ingest)

    p = subparsers.add_parser("export", help=cmd_export.__doc__, description=cmd_export.__doc__)
    _add_db(p)
    p.add_argument("-o", "--output", metavar="OUT", help="output file: .csv, .xlsx, .jsonl or .parquet")
    p.epilog = "--db may also name a Parquet dataset folder written by ingest --engine dask."
    p.add_argument("--category", nargs="+", metavar="KEY", help="only these categories (e.g. drugs criminal)")
    p.add_argument("--year", nargs="+", type=year, metavar="YYYY", help="only these periods")
    p.add_argument("--region", nargs="+", type=text_argument, metavar="NAME", help="only these regions")
    p.set_defaults(func=cmd_export)

    for name, func in (("list", cmd_list), ("stats", cmd_stats)):
        p = subparsers.add_parser(name, help=func.__doc__, description=func.__doc__)
        _add_db(p)
        p.set_defaults(func=func)


