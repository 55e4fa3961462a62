"""The one loader of the pattern data of metrics/patterns/*.yaml (extractor and reader alike).

Each file is validated against the keys it may hold; a broken file fails loudly with the file and key
named, never silently. A new pattern file gets its line in ALLOWED_KEYS.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml

from metrics.errors import PatternError

PATTERN_DIR = Path(__file__).parent / "patterns"

ALLOWED_KEYS: dict[str, set[str]] = {
    "normalize": {"char_map", "junk", "spelled_year"},
    "numbers": {
        "digits",
        "small_units",
        "lone_tens_units",
        "large_units",
        "arabic",
        "arabic_magnitude",
        "inner_approx",
        "fraction",
        "tenths_unit",
        "percent_words",
        "unit_gap",
        "compound_rest",
        "tenths_digit",
        "hundredths_words",
    },
    "units": {"percent", "ratio", "money", "score", "quantity", "duration", "count", "arabic_only", "emit_durations"},
    "qualifiers": {"before", "after"},
    "changes": {
        "up",
        "down",
        "level_after",
        "filler",
        "yoy",
        "mom",
        "year_comparison",
        "frame_yoy",
        "frame_mom",
        "own_comparison",
    },
    "periods": {
        "relative_years",
        "explicit_year",
        "multi_year",
        "published",
        "previous_year_hints",
        "this_year_hints",
        "source_year",
        "early_review_hints",
        "spans",
        "compared_month",
        "bare_month",
        "compared_value",
        "roc_year",
        "to_date",
        "comparison_words",
        "comparison_years",
        "changed_to",
        "holiday_days",
        "lunar_new_year",
        "previous_year_days",
    },
    "categories": {"categories", "enumeration_end", "remainder", "not_keywords"},
    "ignore": {"before", "after", "around", "narrative_values", "narrative_except_before"},
    "tables": {
        "year_header",
        "change_abs",
        "change_pct",
        "min_cells",
        "percent_mark",
        "current_period",
        "previous_year",
        "previous_period",
        "yoy_words",
        "mom_words",
        "share",
    },
    "measures": {"measures", "rules", "by_category", "category_of_measure", "part_takes_whole"},
    "unit_norm": {"families", "factor"},
    "scope": {"case", "context"},
    "campaigns": {"campaigns", "holidays", "events", "recent", "told"},
    "metric": {
        "lead_trim",
        "tail_trim",
        "tail_patterns",
        "keep_endings",
        "clause_breaks",
        "list_seps",
        "max_len",
        "respectively",
    },
    "reader_html": {"drop_tags", "boilerplate_markers", "block_tags"},
    "reader_metadata": {"date_meta", "title_meta", "source_meta", "date_labels", "source_labels"},
    "reader_regions": {"authority_suffixes", "place_suffixes", "not_place_chars"},
    "regions": {
        "variant_chars",
        "overlays",
        "agency_suffixes",
        "level_words",
        "dateline",
        "other_stories",
        "not_places",
        "weights",
        "province_abbreviations",
        "source_domains",
    },
}


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


def category_labels() -> dict[str, dict[str, str]]:
    """The categories of categories.yaml in their order: key → {'zh': 毒品, 'en': drugs}.

    >>> category_labels()["drugs"]
    {'zh': '毒品', 'en': 'drugs'}
    """
    return {key: {"zh": spec["zh"], "en": spec["en"]} for key, spec in load("categories")["categories"].items()}
