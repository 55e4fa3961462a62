"""The user's corrections of single statistics, kept beside them in the store file and applied on read
(metrics.store.database.corrected_sql); each can be undone."""

from __future__ import annotations

import math
import os

import pandas as pd

from metrics.store.database import CORRECTION_FIELDS, DEFAULT_DB, open_store

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


def add_correction(db: str | os.PathLike, stat_id: str, field: str, value: object) -> int:
    """Record a correction of one statistic; returns its id (for undo)."""
    stored = validate_correction(field, value)
    with open_store(db, write=True) as con:
        if con.execute("SELECT count(*) FROM statistics WHERE stat_id = ?", [stat_id]).fetchall()[0][0] == 0:
            raise ValueError(f"no statistic {stat_id!r} in the store")
        return con.execute("INSERT INTO corrections (stat_id, field, value) VALUES (?, ?, ?) RETURNING id",
                           [stat_id, field, stored]).fetchall()[0][0]


def undo_correction(db: str | os.PathLike, correction_id: int) -> None:
    """Mark one correction undone (it stays listed); ValueError for an unknown id."""
    with open_store(db, write=True) as con:
        found = con.execute("UPDATE corrections SET undone = true WHERE id = ? RETURNING id",
                            [int(correction_id)]).fetchall()
    if not found:
        raise ValueError(f"no correction {correction_id}")


def list_corrections(db: str | os.PathLike = DEFAULT_DB) -> pd.DataFrame:
    """Every correction, oldest first: id, stat_id, field, value, created_at, undone."""
    with open_store(db) as con:
        return con.execute("SELECT id, stat_id, field, value, created_at, undone FROM corrections ORDER BY id").df()
