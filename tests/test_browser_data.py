"""In a real browser: the Data page of the app on the sample shows the set-aside rows it planted."""
from __future__ import annotations

import re

import pytest

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
    # the examples of set-aside rows open, with their reasons in words
    page.get_by_text("Unknown reference").first.click()
    page.wait_for_timeout(500)
    assert "Unknown reference" in page.inner_text("body")
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
