"""The dashboard in a real browser (Debian's Chromium via Playwright), over an annotated temporary store."""

from __future__ import annotations

import csv
import io
import re
import urllib.parse


from conftest import IDLE

DRUGS = "毒品 drugs"
VICE = "黄赌 vice"


def wait_idle(page) -> None:
    """Wait until the app's script run has finished (the rerun race of the recipe)."""
    page.wait_for_timeout(150)
    page.wait_for_selector(IDLE, timeout=30_000)


def wait_for_message(page, text: str) -> None:
    """Wait for the message a change shows after its rerun (so the page shows the changed store), then idle."""
    page.get_by_text(text).first.wait_for(timeout=30_000)
    wait_idle(page)


def open_app(page, query: str = "") -> None:
    """Open the dashboard (optionally with a query string) and wait for the charts."""
    page.goto(page.base_url + "/" + query)
    wait_idle(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=30_000)


def chart_traces(page) -> list[list[str]]:
    """The trace names of every Plotly chart on the page, in order."""
    return page.evaluate("() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                         ".map(e => e.data.map(t => t.name))")


def chart_bar_total(page, index: int) -> float:
    """The sum of the bar heights of one chart (the statistics counted in the category chart)."""
    return page.evaluate(f"() => document.querySelectorAll('.js-plotly-plot')[{index}].data"
                         ".flatMap(t => Array.isArray(t.y) ? t.y : Array.from(t.y._inputArray || t.y))"
                         ".reduce((a, b) => a + b, 0)")


def table_total(page) -> int:
    """The number of filtered statistics the table's caption states (共 N 条)."""
    page.get_by_role("tab", name="数据与出处").click()
    caption = page.get_by_text(re.compile(r"共 [\d,]+ 条")).first.inner_text()
    page.get_by_role("tab", name="图表").click()
    return int(re.search(r"共 ([\d,]+) 条", caption).group(1).replace(",", ""))


def choose_category(page, label: str) -> None:
    """Pick one category in the sidebar multiselect."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    box.click()
    page.keyboard.type(label.split()[0])
    page.get_by_role("option", name=label).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def screenshot(page, path) -> None:
    """A tall screenshot of the whole app (Streamlit scrolls an inner container)."""
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1400, "height": 1000})


def download(page, button) -> bytes:
    """Click a download button and return the file's bytes."""
    with page.expect_download() as info:
        button.click()
    return open(info.value.path(), "rb").read(), info.value.suggested_filename


def select_first_table_row(page) -> None:
    """Tick the first row of the statistics table (its row-selection checkbox)."""
    page.get_by_role("tab", name="数据与出处").click()
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    wait_idle(page)


def test_chinese_renders_with_a_real_font(page, artifacts):
    open_app(page)
    same = page.evaluate("""() => {
        const draw = ch => { const c = document.createElement('canvas'); c.width = 64; c.height = 64;
            const g = c.getContext('2d'); g.font = '48px ' + getComputedStyle(document.body).fontFamily;
            g.fillText(ch, 4, 52); return c.toDataURL(); };
        return draw('毒') === draw('刑'); }""")
    assert not same, "two different CJK characters draw the same pixels: no CJK font (tofu)"
    screenshot(page, artifacts / "dashboard-charts.png")


def test_filter_by_category_changes_chart_and_table(page, artifacts):
    open_app(page)
    before_traces, before_total = chart_traces(page)[0], table_total(page)
    assert DRUGS in before_traces and len(before_traces) > 1
    choose_category(page, DRUGS)
    assert chart_traces(page)[0] == [DRUGS]
    after_total = table_total(page)
    assert 0 < after_total < before_total
    assert chart_bar_total(page, 0) <= after_total
    assert "category=" in page.url and DRUGS in urllib.parse.unquote_plus(page.url)
    screenshot(page, artifacts / "dashboard-filtered-drugs.png")


def test_chart_csv_download_holds_only_filtered_rows_safely(page):
    open_app(page)
    choose_category(page, "黄赌 vice")
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    data, name = download(page, buttons.nth(1))  # the year-on-year chart's data
    assert data.startswith(b"\xef\xbb\xbf")
    assert name.endswith(".csv") and "yoy-changes" in name and "vice" in name
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows and {r["category"] for r in rows} == {"vice"}
    hostile = [r for r in rows if "HYPERLINK" in r["metric"]]
    assert hostile and all(r["metric"].startswith("'=") for r in hostile)
    first = download(page, buttons.nth(0))[0]
    counted = list(csv.DictReader(io.StringIO(first.decode("utf-8-sig"))))
    assert {r["category"] for r in counted} == {"vice"}


def test_table_csv_download_is_the_filtered_table(page):
    open_app(page)
    choose_category(page, DRUGS)
    total = table_total(page)
    page.get_by_role("tab", name="数据与出处").click()
    button = page.locator('[data-testid="stDownloadButton"] button').filter(has_text="下载筛选后的全部数据 CSV")
    data, name = download(page, button)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert data.startswith(b"\xef\xbb\xbf") and name.startswith("police-stats_table_drugs")
    assert len(rows) == total and {r["category"] for r in rows} == {"drugs"}


def test_url_with_filters_opens_filtered(page):
    query = "?" + urllib.parse.urlencode({"category": DRUGS, "lang": "English"})
    open_app(page, query)
    assert chart_traces(page)[0] == [DRUGS]
    assert page.locator("h1").first.inner_text() == "Police statistics dashboard"
    chip = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    assert DRUGS in chip.inner_text()


def test_upload_and_paste_reports_appear(page, tmp_path):
    open_app(page)
    before = table_total(page)
    page.get_by_role("tab", name="添加报告").click()
    report = "示例县公安局2024年工作报告：全年刑事打处2129人、逮捕684人，破获案件350起。".encode("gb18030")
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(
        files=[{"name": "upload-test.txt", "mimeType": "text/plain", "buffer": report}])
    page.get_by_role("button", name="导入").first.click()
    wait_for_message(page, re.compile("已导入 upload-test.txt"))
    after_upload = table_total(page)
    assert after_upload > before
    page.get_by_role("tab", name="添加报告").click()
    page.locator('[data-testid="stTextArea"] textarea').fill("全年查获吸毒人员88人。")
    page.get_by_role("button", name="导入").nth(1).click()
    wait_for_message(page, re.compile("已导入 pasted-report.txt"))
    assert table_total(page) > after_upload


def test_bad_upload_gets_a_clear_message(page):
    open_app(page)
    page.get_by_role("tab", name="添加报告").click()
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(
        files=[{"name": "binary.txt", "mimeType": "text/plain", "buffer": b"\x00\x01\x02\xff" * 50}])
    page.get_by_role("button", name="导入").first.click()
    wait_for_message(page, re.compile("无法导入 binary.txt"))
    assert page.locator('[data-testid="stException"]').count() == 0


def test_mark_row_wrong_changes_the_chart_and_can_be_undone(page):
    open_app(page, "?q=HYPERLINK")
    before = chart_bar_total(page, 0)
    select_first_table_row(page)
    page.get_by_role("button", name="标记为错误（删除）").click()
    wait_for_message(page, "已保存更正。")
    page.get_by_role("tab", name="图表").click()
    assert chart_bar_total(page, 0) == before - 1
    page.get_by_role("tab", name="更正记录").click()
    page.get_by_role("button", name=re.compile("撤销")).first.click()
    wait_for_message(page, "已撤销更正。")
    page.get_by_role("tab", name="图表").click()
    assert chart_bar_total(page, 0) == before


def test_report_script_runs_nothing_and_shows_as_text(page, artifacts):
    open_app(page, "?q=HYPERLINK")
    select_first_table_row(page)
    page.get_by_text("原文: hostile-2024").wait_for()
    report = page.locator(".report").first
    assert "<script>" in report.inner_text()
    assert page.locator(".report script, .report img").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert page.dialogs == []
    screenshot(page, artifacts / "dashboard-document.png")


def test_fixing_a_category_is_shown_charted_and_downloaded(page):
    open_app(page, "?q=HYPERLINK")
    assert chart_traces(page)[0] == ["黄赌 vice"]
    select_first_table_row(page)
    form = page.locator('[data-testid="stForm"]').filter(has_text="更正类别")
    form.locator('[data-testid="stSelectbox"]').first.click()
    page.keyboard.type("毒品")
    page.get_by_role("option", name=DRUGS).click()
    form.get_by_role("button", name="保存").click()
    wait_for_message(page, "已保存更正。")
    assert sorted(chart_traces(page)[0]) == sorted([DRUGS, "黄赌 vice"])
    page.get_by_role("tab", name="数据与出处").click()
    button = page.locator('[data-testid="stDownloadButton"] button').filter(has_text="下载筛选后的全部数据 CSV")
    data, _ = download(page, button)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    fixed = [r for r in rows if r["category"] == "drugs" and r["derived"] == "False"]
    assert len(fixed) == 1 and fixed[0]["corrected"] == "True"
    assert all(r["category"] == "vice" for r in rows if r["stat_id"] != fixed[0]["stat_id"])
