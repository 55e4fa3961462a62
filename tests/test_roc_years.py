"""Years of the Republic (民國) in reports of Taiwan: 110年 is 2021, and the records stay grounded in the
text as written (metrics/extraction/roc_years.py)."""

from __future__ import annotations

import pytest

from metrics import extract
from metrics.extraction.pipeline import extract_parts
from metrics.extraction.roc_years import TAIWAN_CODE, roc_converted

# 內政部警政署 2022-05-29 (cybercrime), as published (traditional script)
TEXT = (
    "警政署統計,110年網路犯罪發生數1萬2195件,較109年減少74件;破獲率由106年79.04%提升。\n"
    "114年1至9月詐欺案1,887件,80年代以來,近50年來最少。"
)


def records(text: str = TEXT, region: str = "台湾地区"):
    return extract(text, published="2022-05-29", region=region)


def test_a_year_of_the_republic_is_read_as_its_gregorian_year():
    by_surface = {r.surface: r for r in records()}
    assert by_surface["1萬2195件"].period == 2021
    assert by_surface["1萬2195件"].period_label == "2021"
    assert by_surface["減少74件"].basis == "yoy"  # 較109年 is the year before 110年
    assert by_surface["79.04%"].period == 2017
    assert by_surface["1,887件"].period_label == "2025-01/2025-09"


def test_records_stay_grounded_in_the_text_as_written():
    rows = records()
    assert rows
    for r in rows:
        assert TEXT[r.start : r.end] == r.surface
        assert r.sentence in TEXT and "110年" in TEXT
    first = next(r for r in rows if r.surface == "1萬2195件")
    assert first.sentence.startswith("警政署統計,110年網路犯罪")
    assert "2021" not in first.metric and "2021" not in first.sentence


def test_a_report_of_another_place_keeps_its_numbers():
    assert all(r.period != 2021 for r in records(region="北京市"))
    assert roc_converted(TEXT, "110000") is None


@pytest.mark.parametrize("phrase", ["80年代以來", "近50年來", "50年來", "滿18年", "90年齡"])
def test_decades_ages_and_numbers_of_years_are_no_years_of_the_republic(phrase):
    assert roc_converted(phrase, TAIWAN_CODE) is None


def test_a_converted_offset_maps_back_before_and_after_each_year():
    text = "99年3件,100年5件"
    converted, back = roc_converted(text, TAIWAN_CODE)
    assert converted == "2010年3件,2011年5件"
    for surface in ("3件", "5件"):
        at = converted.index(surface)
        assert text[back.offset(at) : back.offset(at + len(surface))] == surface


def test_extract_parts_gives_the_records_of_extract():
    text = TEXT * 40
    whole = extract(text, published="2022-05-29", region="台湾地区")
    parts = [r for part in extract_parts(text, size=500, published="2022-05-29", region="台湾地区") for r in part]
    assert [(r.start, r.surface, r.period, r.sentence) for r in parts] == [
        (r.start, r.surface, r.period, r.sentence) for r in whole
    ]
    assert all(text[r.start : r.end] == r.surface for r in parts)
