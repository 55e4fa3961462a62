"""Loading the pattern data of metrics/patterns/*.yaml, checked once at import.

Each file is validated against the keys it may hold; a broken file fails loudly at import with the file
and key named, never silently.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml

PATTERN_DIR = Path(__file__).parent / "patterns"

ALLOWED_KEYS: dict[str, set[str]] = {
    "normalize": {"char_map", "junk"},
    "numbers": {"digits", "small_units", "large_units", "arabic", "arabic_magnitude", "inner_approx",
                "fraction", "tenths_unit", "percent_words"},
    "units": {"percent", "ratio", "money", "score", "quantity", "duration", "count", "arabic_only",
              "emit_durations"},
    "qualifiers": {"before", "after"},
    "changes": {"up", "down", "level_after", "filler", "yoy", "mom", "year_comparison"},
    "periods": {"relative_years", "explicit_year", "multi_year", "published",
                "previous_year_hints", "this_year_hints", "early_review_hints", "spans", "to_date"},
    "categories": {"categories"},
    "ignore": {"before", "after", "around", "narrative_values"},
    "measures": {"measures", "rules", "by_category", "category_of_measure", "part_takes_whole"},
    "unit_norm": {"families", "factor"},
    "scope": {"case", "context"},
    "campaigns": {"campaigns", "holidays", "events", "recent"},
    "metric": {"lead_trim", "tail_trim", "tail_patterns", "keep_endings", "clause_breaks", "list_seps", "max_len"},
}


class PatternError(ValueError):
    """A pattern file is missing, malformed, or holds an unknown key or a regex that does not compile."""


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed content of patterns/<name>.yaml, its keys checked."""
    path = PATTERN_DIR / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PatternError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise PatternError(f"{path}: expected a mapping at the top")
    unknown = set(data) - ALLOWED_KEYS.get(name, set())
    if unknown:
        raise PatternError(f"{path}: unknown keys {sorted(unknown)}")
    return data


def alternation(words: list[str]) -> str:
    """A regex alternation of literal words, longest first so that 人次 wins over 人."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def compile_checked(pattern: str, where: str, flags: int = 0) -> regex.Pattern:
    try:
        return regex.compile(pattern, flags)
    except regex.error as exc:
        raise PatternError(f"{where}: {exc}") from None
