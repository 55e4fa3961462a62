"""The normalising character maps: the lookup-array translation must be exactly str.translate."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.errors import PatternError
from metrics.extraction.normalize import CharMap, normalize, translation_table
from metrics.extraction.regions import simplified

TABLE = translation_table()
CHARS = CharMap(TABLE, "test")
MAPPED = sorted(chr(k) for k in TABLE)

# Mapped characters (traditional, full-width, astral ones such as U+2B726), CJK, ASCII, anything else,
# and lone surrogates, which a badly decoded page can hold.
characters = st.one_of(
    st.sampled_from(MAPPED), st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
)


@settings(max_examples=500, deadline=None)
@given(st.lists(characters, max_size=3 * CharMap.SHORT).map("".join))
def test_translate_is_str_translate(text):
    """Both ways: texts shorter than CharMap.SHORT are translated by str.translate, longer by the array."""
    assert CHARS.translate(text) == text.translate(TABLE)


def test_translate_maps_beyond_the_lookup_and_the_empty_text():
    assert CHARS.translate("") == ""
    assert max(TABLE) > 0xFFFF  # astral keys exist, so the array must reach beyond the BMP
    long = "萬\U0010fffd個" * CharMap.SHORT
    assert CHARS.translate(long) == "万\U0010fffd个" * CharMap.SHORT


def test_region_wording_is_simplified_with_its_variants():
    assert simplified("靑海省公安廳") == "青海省公安厅"


def test_a_character_that_becomes_two_is_refused_with_its_file():
    with pytest.raises(PatternError, match="regions.yaml variant_chars: .*靑 → 青青"):
        CharMap({ord("靑"): "青青"}, "regions.yaml variant_chars")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二〇〇七年警方", "2007年警方"),
        ("一九九七 年", "1997 年"),
        ("二零二三年全年", "2023年全年"),
        ("一二三年", "一二三年"),  # not a year of this or the last century
        ("二〇〇七宗", "二〇〇七宗"),  # no 年 after it
    ],
)
def test_a_year_spelled_in_chinese_digits_is_written_in_arabic_digits(text, expected):
    assert normalize(text) == expected
    assert len(normalize(text)) == len(text)
