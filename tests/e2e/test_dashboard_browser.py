"""The analyst's dashboard in a real browser (Debian's Chromium via Playwright), over the annotated store.

Each question of issue 12 is answered in at most three actions, with the values asserted; every page is
saved as a screenshot at desktop and phone size under test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import csv
import io
import re
import urllib.parse

import pandas as pd
import pytest
from conftest import CHROMIUM_ARGS, IDLE  # noqa: F401
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
XIAMEN_LINK = "?category=other&measure=reports%2Fitems&regions=350200"


def wait_idle(page) -> None:
    """Wait until the app's script run has finished (the rerun race of the recipe)."""
    page.wait_for_timeout(200)
    page.wait_for_selector(IDLE, timeout=30_000)


def open_app(page, query: str = "", *, chart: bool = True) -> None:
    page.goto(page.base_url + "/" + query)
    wait_idle(page)
    if chart:
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)


def pick(page, label: str, option: str) -> None:
    """One action: choose ``option`` in the sidebar selectbox or multiselect labelled ``label``."""
    box = (
        page.locator(
            '[data-testid="stSidebar"] [data-testid="stSelectbox"], '
            '[data-testid="stSidebar"] [data-testid="stMultiSelect"]'
        )
        .filter(has_text=label)
        .first
    )
    box.locator("input").first.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def choose_view(page, name: str) -> None:
    """One action: open a page of the dashboard (the segmented control at the top)."""
    page.locator('[data-testid="stMain"]').get_by_text(name, exact=True).first.click()
    wait_idle(page)


def plots(page) -> list[list[dict]]:
    """Every Plotly chart's traces as plain data (x, y, names, marker colours, customdata)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(e => e.data.map(t => ({
        name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || []),
        colors: t.marker && Array.isArray(t.marker.color) ? t.marker.color : (t.marker ? [t.marker.color] : []),
        ids: (t.customdata || []).map(c => Array.isArray(c) ? c[0] : c), mode: t.mode,
        z: t.z ? Array.from(t.z).map(r => Array.from(r)) : null})))""")


def click_point(page, chart: int, trace: int, point: int) -> None:
    """One action: click one point of a chart (a Plotly marker in the SVG)."""
    marker = (
        page.locator(".js-plotly-plot")
        .nth(chart)
        .locator(".scatterlayer .trace")
        .nth(trace)
        .locator(".points path")
        .nth(point)
    )
    marker.click(force=True)
    wait_idle(page)


def screenshot(page, path, size=DESKTOP) -> None:
    """A tall screenshot of the whole app at the width of ``size`` (Streamlit scrolls an inner container)."""
    page.set_viewport_size(size)
    page.wait_for_timeout(600)
    height = page.evaluate(
        "() => Math.max(document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0,"
        " document.body.scrollHeight)"
    )
    page.set_viewport_size({"width": size["width"], "height": min(max(size["height"], height), 6000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size(DESKTOP)
    wait_idle(page)


def download(page, button) -> tuple[bytes, str]:
    with page.expect_download() as info:
        button.click()
    return open(info.value.path(), "rb").read(), info.value.suggested_filename


def test_chinese_renders_with_a_real_font(page, artifacts):
    open_app(page)
    differs = page.evaluate("""() => {
        const draw = ch => { const c = document.createElement('canvas'); c.width = 40; c.height = 40;
          const g = c.getContext('2d'); g.font = '32px sans-serif'; g.fillText(ch, 2, 34); return c.toDataURL(); };
        return draw('诈') !== draw('警'); }""")
    assert differs, "CJK characters render identically: no CJK font (tofu)"


def test_xiamen_one_measure_across_its_years_in_three_actions(page, artifacts):
    open_app(page)
    pick(page, "案件类别", "其他")  # 1
    pick(page, "指标（计量）", "警情 (个)")  # 2
    pick(page, "地区", "厦门市 350200")  # 3
    page.get_by_text("其他 · 警情 (个)").first.wait_for()
    traces = plots(page)[0]
    xiamen = next(t for t in traces if t["name"] == "厦门市")
    assert xiamen["x"] == [2019, 2020]
    assert xiamen["y"] == [2370000, 2441000]  # 2019 derived from +2.99%, rounded like 244.1万
    assert xiamen["colors"][0] == "white" and xiamen["colors"][1] != "white"  # derived hollow
    assert any(t["mode"] == "lines" and t["x"] == [2019, 2020] for t in traces)  # its dashed segment
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query == {"category": ["other"], "measure": ["reports/items"], "regions": ["350200"]}
    screenshot(page, artifacts / "indicator-xiamen-desktop.png")


def test_largest_fall_in_telecom_fraud_cases_in_one_year_in_three_actions(page, artifacts):
    open_app(page)  # telecom fraud is the default category
    choose_view(page, "地区比较")  # 1
    pick(page, "指标（计量）", "发案")  # 2
    pick(page, "期间", "2022")  # 3
    page.get_by_text("电信网络诈骗 · 发案 · 2022").first.wait_for()
    changes = plots(page)[0][0]
    # largest fall at the top (Plotly draws the last bar at the top): Tianjin −27.8%, then Jiangsu −15.3%
    assert list(zip(changes["x"], changes["y"]))[::-1] == [(-27.8, "天津市"), (-15.3, "江苏省")]
    assert set(changes["colors"]) == {"#1e8449"}  # a fall in cases is good news: green
    assert "吉林省" not in changes["y"]  # Jan–Sep 2022 is not the year 2022
    tiles = plots(page)[1][0]
    assert sum(v == 2 for row in tiles["z"] for v in row) == 2  # Tianjin and Jiangsu tiles: good news
    screenshot(page, artifacts / "places-desktop.png")


def test_fall_in_cases_solved_is_amber(page):
    open_app(page, "?tab=places&category=telecom_fraud&measure=solved&period=2023")
    changes = plots(page)[0][0]
    pairs = dict(zip(changes["y"], changes["x"]))
    assert pairs["江苏省"] == 20.9 and pairs["福建省"] == 5.4
    assert set(changes["colors"]) == {"#1e8449"}  # rises in cases solved: good news


def test_what_a_figure_rests_on_one_click(page, artifacts):
    open_app(page, XIAMEN_LINK)
    click_point(page, 0, 0, 1)  # 1: the stated 2020 point
    sources = page.locator('[class*="st-key-sources"]')
    sources.wait_for(timeout=20_000)
    text = sources.inner_text()
    assert "xiamen-2020" in text and "2,441,000" in text and "【" in text
    assert "http" in text  # the report's address
    assert "point=xiamen-2020" in urllib.parse.unquote(page.url)
    # the derived 2019 point: the figure and the change. Under load a click can land while the chart is
    # redrawn after the first selection and be lost in the browser (seen once in a full run; the URL still
    # held the first point): then it is clicked again, as a person would, and the change must show.
    derived = page.get_by_text("此值为推算值")
    click_point(page, 0, 0, 0)
    try:
        derived.wait_for(timeout=10_000)
    except PlaywrightTimeoutError:
        assert "point=xiamen-2020:133:140" in urllib.parse.unquote(page.url)  # the click was lost, not misread
        click_point(page, 0, 0, 0)
        derived.wait_for(timeout=20_000)
    text = sources.inner_text()
    assert text.count("xiamen-2020") >= 2 and "2.99%" in text.replace("２", "2") or "2.99" in text
    screenshot(page, artifacts / "sources-desktop.png")


def test_a_reopened_link_gives_the_same_page_in_a_fresh_context(page, browser):
    open_app(page, XIAMEN_LINK)
    click_point(page, 0, 0, 1)
    page.locator('[class*="st-key-sources"]').wait_for(timeout=20_000)
    link, before = page.url, plots(page)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    fresh = context.new_page()
    fresh.base_url = page.base_url
    fresh.goto(link)
    wait_idle(fresh)
    fresh.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    fresh.locator('[class*="st-key-sources"]').wait_for(timeout=20_000)
    assert plots(fresh) == before
    assert fresh.url == link
    context.close()


def test_english_link_and_language_switch_keep_the_indicator(page):
    open_app(page, "?lang=en&" + XIAMEN_LINK[1:])
    page.get_by_text("other · incidents reported (个)").first.wait_for()
    assert page.get_by_text("Police statistics dashboard").count() == 1
    before = plots(page)[0]
    page.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    wait_idle(page)
    page.get_by_text("其他 · 警情 (个)").first.wait_for()
    assert [t["y"] for t in plots(page)[0]] == [t["y"] for t in before]
    assert "lang" not in urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)


def test_indicator_download_has_labels_keys_and_marked_rounded_derived_values(page):
    open_app(page, XIAMEN_LINK)
    body, name = download(page, page.locator('[data-testid="stDownloadButton"] button').first)
    assert body.startswith(b"\xef\xbb\xbf") and name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    by_period = {r["period_label"]: r for r in rows}
    assert by_period["2020"]["value"] == "2441000.0" and by_period["2020"]["derived"] == "False"
    assert by_period["2019"]["value"] == "2370000.0" and by_period["2019"]["derived"] == "True"
    assert (
        by_period["2019"]["id"].endswith("~prev")
        and by_period["2019"]["source_id"] == by_period["2020"]["id"]
        or by_period["2019"]["source_id"].startswith("xiamen-2020")
    )
    assert {r["category_label"] for r in rows} == {"其他"} and {r["measure"] for r in rows} == {"reports"}
    assert {r["region_code"] for r in rows} == {"350200"}
    page.get_by_text("显示推算的上年数值").click()  # derived values off: they leave the download too
    wait_idle(page)
    body, _ = download(page, page.locator('[data-testid="stDownloadButton"] button').first)
    assert [r["period_label"] for r in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))] == ["2020"]


def test_table_downloads_read_back_as_the_filtered_table_in_csv_and_excel(page):
    open_app(page, "?tab=table&category=other&regions=350200", chart=False)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
    total = int(re.search(r"共 (\d+) 条", page.locator('[data-testid="stCaptionContainer"]').first.inner_text())[1])
    csv_body, csv_name = download(page, page.get_by_role("button", name="下载筛选后的全部数据 CSV"))
    xlsx_body, xlsx_name = download(page, page.get_by_role("button", name="下载筛选后的全部数据 Excel"))
    assert (csv_name, xlsx_name) == ("police-stats_table_other.csv", "police-stats_table_other.xlsx")
    from_csv = pd.read_csv(io.BytesIO(csv_body), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    from_xlsx = pd.read_excel(io.BytesIO(xlsx_body), dtype=str, keep_default_na=False)
    assert len(from_csv) == len(from_xlsx) == total > 0  # every filtered row, not only the rows shown
    assert list(from_csv.columns) == list(from_xlsx.columns) and {"stat_id", "surface", "sentence"} <= set(from_csv)
    assert from_csv["stat_id"].tolist() == from_xlsx["stat_id"].tolist()
    assert set(from_csv["region_code"]) == {"350200"} and set(from_csv["category"]) == {"other"}
    assert (from_csv["surface"] != "").all() and all(s in t for s, t in zip(from_csv["surface"], from_csv["sentence"]))
    assert "2441000.0" in set(from_csv["value"]) and 2441000 in pd.to_numeric(from_xlsx["value"]).tolist()


def test_import_shows_a_review_and_says_when_already_stored(page):
    open_app(page, "?tab=add", chart=False)
    page.get_by_label("报告名称").fill("review-test")
    page.get_by_label("或粘贴报告全文").fill("某县公安局2024年工作总结：全年破获刑事案件120起，抓获犯罪嫌疑人85人。")
    page.get_by_role("button", name="导入").nth(1).click()
    page.get_by_text("导入结果：提取的数据").wait_for(timeout=30_000)
    wait_idle(page)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
    page.get_by_role("button", name="导入").nth(1).click()
    page.get_by_text("已在数据库中").first.wait_for(timeout=30_000)


def test_report_text_runs_nothing_and_the_toolbar_is_minimal(page):
    open_app(page, "?tab=table&category=vice", chart=False)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.get_by_text("Deploy").count() == 0
    assert page.dialogs == []


@pytest.mark.parametrize(
    "view, query",
    [
        ("indicator", XIAMEN_LINK),
        ("indicator-telecom", ""),
        ("category", "?tab=category&regions=120000"),
        ("places", "?tab=places&measure=cases&period=2022"),
        ("coverage", "?tab=coverage"),
        ("table", "?tab=table"),
        ("add", "?tab=add"),
        ("indicator-en", "?lang=en"),
    ],
)
def test_screenshots_of_every_page_at_desktop_and_phone_size(page, artifacts, view, query):
    open_app(page, query, chart=view not in ("coverage", "table", "add"))
    page.wait_for_timeout(500)
    screenshot(page, artifacts / f"{view}-desktop.png", DESKTOP)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(800)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"] + 1  # no sideways scroll
    screenshot(page, artifacts / f"{view}-phone.png", PHONE)
