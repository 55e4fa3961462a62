"""The category keywords: the automaton finds what the trie pattern finds wherever no junk was blanked."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.extraction.classify import _keyword_index, _keywords_in, keyword_hits
from metrics.extraction.normalize import FILLER, normalize

ROOT = Path(__file__).resolve().parent.parent
WORDS = sorted(_keyword_index()[1])


def by_pattern(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    pattern, _ = _keyword_index()
    end = len(text) if end is None else end
    return [(m.start(), m.end(), m.group().replace(FILLER, "")) for m in pattern.finditer(text, start, end)]


def test_the_annotated_reports_give_the_same_keywords_both_ways():
    paths = sorted((ROOT / "data/corpus").glob("*/*.json"))
    texts = [normalize(json.loads(p.read_text(encoding="utf-8"))["text"]) for p in paths]
    clean = [t for t in texts if FILLER not in t]
    assert len(clean) >= 60 and sum(len(by_pattern(t)) for t in clean) > 1900
    for text in clean:
        assert _keywords_in(text, 0, len(text)) == by_pattern(text)
        middle = len(text) // 3
        assert _keywords_in(text, middle, 2 * middle) == by_pattern(text, middle, 2 * middle)


# keywords that overlap or contain each other (刑事, 刑事案件, 事案), glued to each other and to other text
GLUE = ["、", "与", "案件", "事", "\n", "12起"]
fragments = st.one_of(st.sampled_from(WORDS), st.sampled_from(GLUE), st.text(max_size=3))


@settings(max_examples=400, deadline=None)
@given(st.lists(fragments, max_size=20).map("".join), st.integers(0, 40), st.integers(0, 40))
def test_random_keyword_runs_give_the_same_keywords_both_ways(text, start, length):
    end = min(len(text), start + length)
    start = min(start, end)
    assert _keywords_in(text, start, end) == by_pattern(text, start, end)


def test_junk_between_characters_is_still_read():
    text = normalize("电信网(wǎng)络诈骗案件")
    assert FILLER in text
    assert [h[2:4] for h in keyword_hits(text)][0] == ("telecom_fraud", "strong")
