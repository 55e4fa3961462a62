"""The pattern data files: they load, compile, and name exactly the categories of SCHEMA.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from metrics import rules
from metrics.errors import PatternError
from metrics.rules import category_labels

SCHEMA = Path(__file__).resolve().parent.parent / "data" / "corpus" / "SCHEMA.md"

PATTERN_FILES = sorted(rules.ALLOWED_KEYS)  # the extractor's and the reader's files


def test_every_pattern_file_is_known_to_the_one_loader():
    assert {p.stem for p in rules.PATTERN_DIR.glob("*.yaml")} == set(PATTERN_FILES)


@pytest.mark.parametrize("path", sorted(rules.PATTERN_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_yaml_file_in_the_folder_parses(path):
    assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict)


@pytest.mark.parametrize("name", PATTERN_FILES)
def test_every_pattern_file_loads(name):
    assert rules.load(name)


def test_every_regex_compiles():
    from metrics.extraction import change_and_veto, context, figure, measure, period_span, scope

    figure.figure_pattern(), figure.fraction_pattern()
    change_and_veto.direction_patterns(), change_and_veto.veto_patterns()
    context._time_pattern(), context._time_alternative_patterns(), context._published_patterns()
    period_span._span_pattern(), period_span._event_patterns(), measure._rules(), scope._patterns()


def test_categories_are_exactly_the_schema_list():
    section = SCHEMA.read_text(encoding="utf-8").split("## Categories")[1].split("\n## ")[0]
    schema_keys = re.findall(r"^\| `(\w+)` \|", section, flags=re.M)
    assert len(schema_keys) == 20 and list(category_labels()) == schema_keys


def test_every_category_has_chinese_and_english_labels():
    for key, labels in category_labels().items():
        assert labels["zh"] and labels["en"], key


def test_keywords_are_not_claimed_by_two_categories():
    seen: dict[str, str] = {}
    for key, spec in rules.load("categories")["categories"].items():
        for word in spec.get("keywords", []) + spec.get("generic", []):
            assert seen.setdefault(str(word), key) == key, (word, seen[str(word)], key)


def test_an_unknown_key_fails_loudly(tmp_path, monkeypatch):
    (tmp_path / "units.yaml").write_text(yaml.safe_dump({"count": ["人"], "colour": ["red"]}), encoding="utf-8")
    monkeypatch.setattr(rules, "PATTERN_DIR", tmp_path)
    rules.load.cache_clear()
    try:
        with pytest.raises(PatternError, match="unknown keys"):
            rules.load("units")
    finally:
        rules.load.cache_clear()


def test_a_broken_regex_fails_loudly():
    with pytest.raises(PatternError, match="ignore.yaml"):
        rules.compile_checked("(unclosed", "ignore.yaml before")


def test_a_generic_word_yields_only_to_known_categories():
    from metrics.extraction import classify

    narrower = classify._narrower_kinds()
    assert narrower["theft_robbery"] >= {"telecom_fraud"}  # 诈骗 after 电诈 is telecom fraud
    assert set().union(*narrower.values()) <= set(category_labels())


def test_an_unknown_category_to_yield_to_fails_loudly(tmp_path, monkeypatch):
    from metrics.extraction import classify

    data = rules.load("categories")
    spec = {
        **data,
        "categories": {**data["categories"], "vice": {**data["categories"]["vice"], "generic_yields_to": ["gambling"]}},
    }
    (tmp_path / "categories.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(rules, "PATTERN_DIR", tmp_path)
    rules.load.cache_clear()
    classify._narrower_kinds.cache_clear()
    try:
        with pytest.raises(PatternError, match="generic_yields_to: unknown categories \\['gambling'\\]"):
            classify._narrower_kinds()
    finally:
        rules.load.cache_clear()
        classify._narrower_kinds.cache_clear()
