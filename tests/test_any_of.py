"""FragmentLists (metrics/extraction/any_of.py) answers as each list's alternation does: the plain words
through one automaton, the other fragments by regex, on the word lists the extractor uses and on cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import regex

from metrics.extraction import measure, scope
from metrics.extraction.any_of import FragmentLists, any_of, is_plain_word
from metrics.extraction.normalize import normalize

CORPORA = Path(__file__).resolve().parent.parent / "data" / "corpus"


def alternation_found(fragments: list[str], text: str, flags: int = 0) -> bool:
    """The reference: one search of the list's alternation."""
    return bool(fragments) and regex.search("|".join(f"(?:{f})" for f in fragments), text, flags) is not None


def clauses() -> list[str]:
    """Every sentence and clause of the annotated reports, normalized, and each clause up to each number in
    it (a metric phrase): the texts the lists are read on."""
    texts = []
    for path in sorted(CORPORA.glob("*/*.json")):
        norm = normalize(json.loads(path.read_text(encoding="utf-8"))["text"])
        parts = regex.split(r"[,;:。！？!?\n]", norm)
        texts += regex.split(r"[。！？!?\n]", norm) + parts
        texts += [part[: m.start()] for part in parts for m in regex.finditer(r"\d+", part)]
    return [t for t in texts if t.strip()]


def word_lists() -> dict[str, list[list[str]]]:
    lists = {"measure rules": [list(r.words) for r in measure._rules()]}
    lists.update({f"scope {name}": [fragments] for name, fragments in scope.word_lists().items()})
    return lists


@pytest.mark.parametrize("name", ["measure rules", "scope case", "scope context"])
def test_the_lists_match_where_their_alternations_do_on_every_clause_of_the_shipped_reports(name):
    lists = word_lists()[name]
    found = FragmentLists(lists, name)
    texts = clauses()
    assert len(texts) > 5_000
    matched = 0
    for text in texts:
        expected = [i for i, fragments in enumerate(lists) if alternation_found(fragments, text)]
        assert found.which(text) == expected, text
        assert found.any(text) == bool(expected), text
        matched += bool(expected)
    assert matched >= 5, "the texts must exercise the lists, not only their misses"


def test_plain_words_and_patterns():
    assert is_plain_word("破获") and is_plain_word("110")
    assert not any(is_plain_word(f) for f in ["破(?!坏)", "e-道", "", "a b", "事故$"])


@pytest.mark.parametrize(
    ("lists", "text", "which"),
    [
        ([["破获", "破获数"], ["获数"]], "破获数12起", [0, 1]),  # overlapping words of two lists both count
        ([["抓获"], ["抓获"]], "抓获3人", [0, 1]),  # one word in two lists
        ([["(?<![攻突爆])破(?!坏|产)"], ["破坏"]], "攻破3起", []),
        ([["(?<![攻突爆])破(?!坏|产)"], ["破坏"]], "侦破3起,破坏2处", [0, 1]),
        ([["事故$"], ["死亡"]], "交通事故", [0]),
        ([["事故$"], ["死亡"]], "事故死亡", [1]),
        ([["(?i)gdp"], ["人口"]], "GDP", [0]),  # an inline flag holds for its whole list
        ([["(?x)a b"], ["c d"]], "c d", [1]),  # ... and for no other list
        ([[""], ["人口"]], "无关", [0]),  # an empty fragment matches anywhere, as in an alternation
        ([[], ["人口"]], "人口", [1]),
    ],
)
def test_which_lists_match(lists, text, which):
    found = FragmentLists(lists, "test")
    assert found.which(text) == which
    assert found.which(text) == [i for i, f in enumerate(lists) if alternation_found(f, text)]
    assert found.any(text) == bool(which)


def test_a_broken_fragment_names_its_file():
    with pytest.raises(measure.PatternError, match="scope.yaml"):
        any_of(["该案", "破获("], "metrics/patterns/scope.yaml case")
