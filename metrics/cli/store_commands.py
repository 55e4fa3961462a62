"""Store subcommands: ``ingest``, ``export``, ``list``, ``stats``, ``series``, ``check``, ``rebuild``, ``refresh``
(argument wiring only;
see metrics.store). What reads or writes frames is imported by the command that uses it: ``ingest`` and
``refresh`` run without pandas."""

from __future__ import annotations

import argparse
import sys

from metrics.errors import EngineError, UsageError
from metrics.store import (
    documents_per_region_year,
    ingest,
    list_documents,
    load_series_points,
    load_statistics,
    statistics_per_category,
)
from metrics.store.rebuild import rebuild_store
from metrics.store.refresh import is_stale, refresh_store


def cmd_ingest(args: argparse.Namespace) -> int:
    """Read, extract and store reports (files or directories); unchanged files are skipped."""
    engine = args.engine or ("dask" if args.scheduler else "local")
    if engine == "local" and args.output_dataset:
        raise UsageError("--output-dataset needs --engine dask")
    try:
        summary = ingest(
            args.paths,
            db=args.db,
            region=args.region,
            published=args.published,
            workers=args.workers,
            progress=True,
            engine=engine,
            scheduler=args.scheduler,
            dataset=args.output_dataset,
        )
    except EngineError as exc:
        print(f"metrics: {exc}", file=sys.stderr)
        return 1
    for failure in summary.failures:
        print(f"metrics: {failure}", file=sys.stderr)
    print(f"metrics: {summary.line()}", file=sys.stderr)
    if engine == "local" and is_stale(args.db):
        print(
            f"metrics: note: the documents stored before were extracted by an earlier extractor: "
            f"`python -m metrics refresh --db {args.db}` re-extracts them",
            file=sys.stderr,
        )
    return 1 if summary.failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the stored statistics, with corrections applied, as .csv .xlsx .jsonl or .parquet (CSV on stdout)."""
    from metrics.store.exports import output_format, write_table

    if args.output:
        output_format(args.output)  # refuse an unknown extension before touching the store
    frame = load_statistics(args.db, categories=args.category, years=args.year, regions=args.region)
    write_table(frame, args.output)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """List the stored documents with their region, date, title and number of statistics."""
    frame = list_documents(args.db)
    print(frame.to_string(index=False) if len(frame) else "(the store holds no documents)")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """What the store holds: documents per region and year, statistics per category."""
    print("Documents per region and year:")
    print(documents_per_region_year(args.db).to_string(index=False))
    print("\nStatistics per category (corrections applied):")
    print(statistics_per_category(args.db).to_string(index=False))
    return 0


def cmd_series(args: argparse.Namespace) -> int:
    """Print one region's series of one measure with the reports that state each point (or write it with -o)."""
    from metrics.store.exports import output_format, write_table
    from metrics.store.series_output import flat_points, measures_of, select_points, series_table

    if args.output:
        output_format(args.output)  # refuse an unknown extension before touching the store
    points = load_series_points(args.db)
    chosen = select_points(points, args.region, args.measure, args.category)
    if args.output:
        write_table(flat_points(chosen), args.output)
        print(f"metrics: {len(chosen)} series points written to {args.output}", file=sys.stderr)
        return 0
    if chosen.empty:
        has = measures_of(points, args.region)
        what = f" in category {args.category}" if args.category else ""
        print(
            f"no series point for region {args.region}, measure {args.measure}{what}; "
            + (
                f"its series have the measures: {', '.join(has)}"
                if has
                else "the store has no series of this region (a region code, e.g. 350200)"
            )
        )
        return 0
    print(series_table(chosen))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Print the series points where two sources, or a stated and a derived value, disagree beyond rounding."""
    from metrics.store.series import disagreements
    from metrics.store.series_output import describe_disagreement

    points = load_series_points(args.db)
    flagged = disagreements(points)
    if flagged.empty:
        compared = int(points["agree"].notna().sum())
        print(
            f"no disagreements: {len(points)} series points, {compared} of them stated more than once "
            "or derived, all agree within their rounding"
        )
        return 0
    print(f"{len(flagged)} disagreements:")
    for row in flagged.to_dict("records"):
        print(describe_disagreement(row))
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    """Build a new store from reports (e.g. when the store file is damaged); the old file is kept, renamed."""
    rebuilt = rebuild_store(args.db, args.paths, workers=args.workers, progress=True)
    for failure in rebuilt.summary.failures:
        print(f"metrics: {failure}", file=sys.stderr)
    kept = f"; the old file is kept as {rebuilt.kept}" if rebuilt.kept else ""
    copied = f", {rebuilt.corrections_copied} corrections copied" if rebuilt.corrections_copied else ""
    print(f"metrics: rebuilt {rebuilt.path}: {rebuilt.summary.line()}{copied}{kept}", file=sys.stderr)
    return 1 if rebuilt.summary.failed else 0


def cmd_refresh(args: argparse.Namespace) -> int:
    """Re-extract the stored documents if the extractor changed since they were extracted (uploads,
    corrections and sources kept)."""
    refreshed = refresh_store(args.db, progress=True)
    for failure in refreshed.failures:
        print(f"metrics: {failure}", file=sys.stderr)
    print(f"metrics: {args.db}: {refreshed.line()}", file=sys.stderr)
    return 1 if refreshed.failures else 0
