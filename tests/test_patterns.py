"""The pattern data files: they load, compile, and name exactly the categories of SCHEMA.md."""

from __future__ import annotations

import pytest
import yaml

from metrics import patterns
from metrics.classify import category_keys, category_labels
from metrics.record import CATEGORY_KEYS

PATTERN_FILES = sorted(patterns.ALLOWED_KEYS)  # the extractor's files (reader_*.yaml belong to the reader)


def test_every_extractor_pattern_file_exists():
    assert {p.stem for p in patterns.PATTERN_DIR.glob("*.yaml")} >= set(PATTERN_FILES)


@pytest.mark.parametrize("path", sorted(patterns.PATTERN_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_yaml_file_in_the_folder_parses(path):
    assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict)


@pytest.mark.parametrize("name", PATTERN_FILES)
def test_every_pattern_file_loads(name):
    assert patterns.load(name)


def test_every_regex_compiles():
    from metrics import context, measure, period_span, scope, spans
    spans.figure_pattern(), spans.fraction_pattern(), spans.direction_patterns(), spans.veto_patterns()
    context._time_pattern(), context._published_patterns()
    period_span._span_pattern(), period_span._event_patterns(), measure._rules(), scope._patterns()


def test_categories_are_exactly_the_schema_list():
    assert tuple(category_keys()) == CATEGORY_KEYS


def test_every_category_has_chinese_and_english_labels():
    for key, labels in category_labels().items():
        assert labels["zh"] and labels["en"], key


def test_keywords_are_not_claimed_by_two_categories():
    seen: dict[str, str] = {}
    for key, spec in patterns.load("categories")["categories"].items():
        for word in spec.get("keywords", []) + spec.get("generic", []):
            assert seen.setdefault(str(word), key) == key, (word, seen[str(word)], key)


def test_an_unknown_key_fails_loudly(tmp_path, monkeypatch):
    (tmp_path / "units.yaml").write_text(yaml.safe_dump({"count": ["人"], "colour": ["red"]}), encoding="utf-8")
    monkeypatch.setattr(patterns, "PATTERN_DIR", tmp_path)
    patterns.load.cache_clear()
    try:
        with pytest.raises(patterns.PatternError, match="unknown keys"):
            patterns.load("units")
    finally:
        patterns.load.cache_clear()


def test_a_broken_regex_fails_loudly():
    with pytest.raises(patterns.PatternError, match="ignore.yaml"):
        patterns.compile_checked("(unclosed", "ignore.yaml before")
