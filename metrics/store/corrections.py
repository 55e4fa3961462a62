"""The user's corrections of single statistics, kept beside them in the store file and applied on read
(metrics.store.schema.corrected_sql); each can be undone.

A correction names its statistic by a stable key (content hash, span, first value), carries the value
the user saw (a stale one is refused with the current value) and keeps who made it and what it replaced.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING

from metrics.errors import StaleCorrection, StatisticGone
from metrics.store.database import DEFAULT_DB, open_store
from metrics.store.schema import CORRECTION_FIELDS, STAT_KEY_SQL, has_keyed_corrections

if TYPE_CHECKING:
    import pandas as pd

# ------------------------------------------------------------------------------------- corrections


def validate_correction(field_name: str, value: object) -> str:
    """The correction value as stored text; ValueError when the field or the value is not acceptable."""
    if field_name not in CORRECTION_FIELDS:
        raise ValueError(f"unknown correction field {field_name!r}: use one of {', '.join(CORRECTION_FIELDS)}")
    text = str(value).strip() if value is not None else ""
    if field_name == "deleted":
        if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"deleted must be true or false, not {value!r}")
        return "true" if text.lower() in ("true", "1", "yes") else "false"
    if field_name == "value":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"value must be a number, not {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"value must be finite, not {value!r}")
        return repr(number)
    if field_name == "period":
        if text in ("", "none", "None", "null"):
            return ""
        if not text.isdigit() or not 1900 <= int(text) <= 2100:
            raise ValueError(f"period must be a year (1900-2100) or empty, not {value!r}")
        return str(int(text))
    if not text or len(text) > 60:
        raise ValueError(f"category must be a short non-empty key, not {value!r}")
    return text


NOT_GIVEN = object()


def is_stat_key(stat: str) -> bool:
    """True for a stable statistic key (``<sha256>:<start>:<end>=<value>``), False for a stat_id."""
    head = stat.split(":", 1)[0]
    return len(head) == 64 and all(c in "0123456789abcdef" for c in head) and "=" in stat


def _statistic(con, stat: str) -> tuple | None:
    """(stat_id, stat_key, category, value, period) of the statistic named by key or by stat_id, as stored
    (before corrections); None when there is none."""
    column = "stat_key" if is_stat_key(stat) else "stat_id"
    rows = con.execute(
        f"""
        SELECT stat_id, stat_key, category, value, period FROM (
            SELECT s.stat_id, {STAT_KEY_SQL} AS stat_key, s.category, s.value, s.period
            FROM statistics s LEFT JOIN documents d USING (doc_id)) WHERE {column} = ?""",
        [stat],
    ).fetchall()
    return rows[0] if rows else None


def _current(con, row: tuple, field_name: str) -> str:
    """The field's value now (its newest active correction, else as extracted), as correction text."""
    stat_id, stat_key, category, value, period = row
    latest = con.execute(
        "SELECT value FROM corrections WHERE stat_key = ? AND field = ? AND NOT undone ORDER BY id DESC LIMIT 1",
        [stat_key, field_name],
    ).fetchall()
    if latest:
        return latest[0][0]
    original = {"deleted": "false", "category": category, "value": value, "period": period}[field_name]
    return validate_correction(field_name, "" if original is None else original)


def add_correction(
    db: str | os.PathLike, stat: str, field: str, value: object, *, seen: object = NOT_GIVEN, author: str | None = None
) -> int:
    """Record a correction of one statistic; returns its id (for undo).

    ``stat`` is the statistic's ``stat_key`` (the ``stat_key`` column of load_statistics: content hash,
    span and first value; it never names another statistic) or, as before, its ``stat_id``. ``seen`` is
    the field's value the user saw (the corrected value shown; False for ``deleted``): when someone changed
    it since, StaleCorrection is raised with the current value and nothing is stored. ``author`` is kept in
    the log with the value replaced. StatisticGone when the statistic no longer exists (its document was
    replaced or removed). Both are ValueErrors, like a refused value.
    """
    stored = validate_correction(field, value)
    expected = None if seen is NOT_GIVEN else validate_correction(field, seen)
    who = (str(author).strip()[:80] or None) if author is not None else None
    with open_store(db, write=True) as con:  # the write lock makes check-and-insert one step
        row = _statistic(con, stat)
        if row is None:
            raise StatisticGone(
                f"the statistic {stat!r} no longer exists (its report was replaced or removed): "
                "reload the page and choose it again"
            )
        current = _current(con, row, field)
        if expected is not None and expected != current:
            raise StaleCorrection(
                f"{field} of {row[0]} was changed to {current!r} (you saw {expected!r}) since "
                "you loaded it: nothing was saved; look at the new value and try again",
                current=current,
            )
        return con.execute(
            "INSERT INTO corrections (stat_id, stat_key, field, value, old_value, author) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [row[0], row[1], field, stored, current, who],
        ).fetchall()[0][0]


def undo_correction(db: str | os.PathLike, correction_id: int) -> None:
    """Mark one correction undone (it stays listed); ValueError for an unknown id."""
    with open_store(db, write=True) as con:
        found = con.execute(
            "UPDATE corrections SET undone = true WHERE id = ? RETURNING id", [int(correction_id)]
        ).fetchall()
    if not found:
        raise ValueError(f"no correction {correction_id}")


def list_corrections(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """Every correction, oldest first: id, stat_id, field, value, created_at, undone, then stat_key,
    old_value (the value it replaced), author, and ``applies`` (whether its statistic still exists)."""
    with open_store(db) as con:
        if not has_keyed_corrections(con):  # a store no writer has opened since corrections were keyed
            frame = con.execute(
                "SELECT id, stat_id, field, value, created_at, undone FROM corrections ORDER BY id"
            ).df()
            return frame.assign(stat_key=None, old_value=None, author=None, applies=True)
        return con.execute(f"""
            SELECT c.id, c.stat_id, c.field, c.value, c.created_at, c.undone, c.stat_key, c.old_value, c.author,
                   c.stat_key IN (SELECT {STAT_KEY_SQL} FROM statistics s LEFT JOIN documents d USING (doc_id))
                       AS applies
            FROM corrections c ORDER BY c.id""").df()
