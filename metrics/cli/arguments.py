"""argparse types of the command line: each checks one kind of value and says what is wrong with it."""

from __future__ import annotations

import argparse
import datetime as dt

from metrics.sources.files import name_as_text


def iso_date(value: str) -> str:
    """argparse type for --published: YYYY-MM-DD, returned as given."""
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def text_argument(value: str) -> str:
    """argparse type for text flags (--region): under an ASCII locale Python keeps the UTF-8 bytes of
    the argument as lone surrogates, which no output can encode; read them as UTF-8."""
    return name_as_text(value)


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
