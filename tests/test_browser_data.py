"""In a real browser: the Data page of the app on the sample shows the set-aside rows it planted."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import wait_for_app

pytestmark = pytest.mark.browser


def test_data_page_shows_the_planted_set_aside_rows(app_url, page, sample_planted):
    page.goto(app_url + "/data?lang=en")
    wait_for_app(page)
    page.get_by_text("Rows set aside").first.wait_for(timeout=30_000)
    body = page.inner_text("body")
    # each unreadable or unknown file the sample planted is named on the page
    for item in sample_planted["planted"]:
        if item["kind"] in ("unreadable_file", "unknown_file", "missing_column"):
            assert item["file"] in body, item
    # the examples of set-aside rows open, with their reasons in words: the first such expander shows its rows
    example = page.locator("[data-testid='stExpander']").filter(has_text="Unknown reference").first
    example.get_by_text("Unknown reference").first.click()
    expect(example.locator("details")).to_have_attribute("open", "")
    example.locator("[data-testid='stDataFrame']").wait_for(timeout=30_000)
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", page.inner_text("body")), "unmasked phone number"


def test_the_excel_download_is_written_when_clicked_and_holds_the_tables_rows(app_url, page):
    """The workbook is made on the click (not on every run of the page) and has the same rows as the CSV."""
    import csv
    import io

    import openpyxl

    from kam.storage.schema import DATASETS

    page.goto(app_url + "/data?lang=en")
    wait_for_app(page)
    page.get_by_text("Rows set aside").first.wait_for(timeout=30_000)
    with page.expect_download() as csv_download:
        page.locator(".st-key-data_datasets_csv button").click()
    with page.expect_download() as xlsx_download:
        page.locator(".st-key-data_datasets_xlsx button").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    rows = list(csv.reader(io.StringIO(csv_download.value.path().read_bytes().decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes())).active
    cells = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert len(cells) == len(rows) == len(DATASETS) + 1  # a header and one row per dataset
    assert cells[0] == rows[0]
    assert sorted(r[0] for r in cells[1:]) == sorted(r[0] for r in rows[1:])


def test_the_sidebar_lists_every_page_in_chinese_without_a_view_more_link(app_url, page):
    from kam.tooling import bench
    from kam.i18n import t

    page.goto(app_url + "/?lang=zh")
    wait_for_app(page)
    sidebar = page.locator("[data-testid='stSidebarNav']")
    sidebar.wait_for(timeout=30_000)
    text = sidebar.inner_text()
    assert "View" not in text and "more" not in text, text
    for stem in bench.page_stems():  # the pages app.py lists, in its order
        assert t(f"page.{stem}", "zh") in text, stem


def test_the_chinese_data_page_speaks_chinese_only(app_url, page):
    """No Streamlit developer chrome, reader errors and labels in Chinese, the set-aside download headed
    as the Chinese export files are (the project's .streamlit/config.toml is read from the repo root)."""
    import csv
    import io

    from kam.i18n import t

    page.goto(app_url + "/data?lang=zh")
    wait_for_app(page)
    page.get_by_text(t("data.set_aside", "zh")).first.wait_for(timeout=30_000)
    # client.toolbarMode = "minimal": no Deploy button, no developer menu
    assert page.locator("[data-testid='stAppDeployButton'], [data-testid='stMainMenu']").count() == 0
    body = page.inner_text("body")
    assert "Deploy" not in body
    # reader errors in Chinese, the column as the export heads it; no English sentence left
    assert "缺少必需列“走访日期”" in body
    assert "不是可读取的 Excel（.xlsx）工作簿" in body
    for english in ("not a readable", "missing required column", "ZipError", "file name matches no dataset"):
        assert english not in body, english
    # datasets and reasons by their Chinese labels (the examples' titles)
    page.get_by_text("账单 · 引用的编码不存在").first.wait_for(timeout=10_000)
    assert "billing ·" not in body and "unknown_reference" not in body

    # the files table, as downloaded, holds labels, not codes: dataset, status
    with page.expect_download() as files_download:
        page.locator(".st-key-data_files_csv button").click()
    files = list(csv.DictReader(io.StringIO(files_download.value.path().read_bytes().decode("utf-8-sig"))))
    assert {r["状态"] for r in files} == {"已载入", "失败", "未识别"}
    assert "账单" in {r["数据集"] for r in files} and "billing" not in {r["数据集"] for r in files}

    # the set-aside rows of one dataset, headed as its Chinese export files are: billing picked from the list
    csv_button = page.locator(".st-key-data_download_set_aside button")
    label_before = csv_button.inner_text()  # "下载 CSV（N 行）" of the first dataset in the list (arrears)
    page.locator(".st-key-data_set_aside_dataset").get_by_role("combobox").click()
    page.keyboard.type("账单")  # the list shows the options matching what is typed
    page.get_by_role("option").filter(has_text=re.compile("^账单$")).first.click()
    # the page has run again for billing once the button counts billing's rows
    page.wait_for_function("([sel, before]) => { const b = document.querySelector(sel);"
                           " return b && b.innerText !== before; }",
                           arg=[".st-key-data_download_set_aside button", label_before], timeout=30_000)
    with page.expect_download() as download:
        page.locator(".st-key-data_download_set_aside button").click()
    assert download.value.suggested_filename == "搁置记录_账单.csv"
    table = list(csv.reader(io.StringIO(download.value.path().read_bytes().decode("utf-8-sig"))))
    assert table[0][:11] == ["文件", "行号", "状态", "原因", "问题列", "问题值", "账期", "集团编码", "用户号码",
                             "费用科目", "金额"]
    reasons = {row[3] for row in table[1:]}
    assert "引用的编码不存在" in reasons and not any("_" in r for r in reasons)


def test_the_tables_toolbar_and_the_uploader_show_no_english(app_url, page):
    """The tables' built-in English (download, search, column menu) is hidden; ours stays. The
    uploader's button and limit are ours, in Chinese, the limit from kam.storage.uploads."""
    page.goto(app_url + "/data?lang=zh")
    wait_for_app(page)
    ours = page.locator(".st-key-data_datasets_csv button")  # our own download, under the table
    ours.wait_for(timeout=30_000)
    table = page.locator("[data-testid='stDataFrame']").first
    table.hover()
    # the toolbar is up (its fullscreen icon stays) and shows none of the English-only buttons
    page.locator("[data-testid='stDataFrame'] button[aria-label='Fullscreen']").first.wait_for(timeout=10_000)
    for label in ("Download as CSV", "Search", "Show/hide columns"):
        expect(page.locator(f"[data-testid='stDataFrame'] button[aria-label='{label}']").first).to_be_hidden()

    page.get_by_text("上传导出文件").first.click()
    dropzone = page.locator("[data-testid='stFileUploaderDropzone']")
    dropzone.wait_for(timeout=10_000)
    assert "Upload" not in dropzone.inner_text() and "per file" not in dropzone.inner_text()
    words = page.evaluate("""() => {
        const z = document.querySelector("[data-testid='stFileUploaderDropzone']");
        const after = e => getComputedStyle(e, '::after').content;
        return [after(z.querySelector('button span[data-has-shortcut]')),
                after(z.querySelector("[data-testid='stFileUploaderDropzoneInstructions'] > div"))]; }""")
    assert words == ['"选择文件"', '"或将文件拖放到此处 · 每个文件不超过 1 GB"']
