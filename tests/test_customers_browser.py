"""In a real browser, on the sample: follow an overview alert into its detail, switch language, download the list."""
from __future__ import annotations

import csv
import io
import re

import pytest

from conftest import wait_for_app
from kam.i18n import t

pytestmark = pytest.mark.browser


def test_an_overview_alert_leads_to_its_detail_in_both_languages_and_downloads(app_url, page):
    page.goto(app_url + "/")  # the root shows the viewer's first page, the overview
    wait_for_app(page)
    page.get_by_role("heading", name="经营总览").wait_for(timeout=30_000)
    alert = page.get_by_text(re.compile(r"客户经理星级低于集团等级要求：\d+ 个集团"))
    count = int(re.search(r"(\d+) 个集团", alert.inner_text())[1])
    assert count > 0

    # the alert opens the star-fit view of the classes page, filtered to the misfits
    alert.click()
    wait_for_app(page)
    page.get_by_text("星级不匹配和未分配客户经理的集团").wait_for(timeout=30_000)
    assert "/classes" in page.url and "view=misfits" in page.url
    assert page.get_by_role("tab", name="星级匹配", selected=True).is_visible()

    # the same view in English
    page.get_by_text("English", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Groups whose manager lacks the stars their class needs").wait_for(timeout=30_000)
    assert page.get_by_role("heading", name="Customer classes").is_visible()

    # the misfit list downloads as CSV, one row per group: the alert's misfits plus the unassigned groups
    with page.expect_download() as download:
        page.locator(".st-key-classes_misfits_csv button").click()  # the button under the misfit list
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_bytes().decode("utf-8-sig"))))
    assert download.value.suggested_filename.startswith("misfits_")
    # the download is headed as the screen is, in the viewer's language; it holds ids, not in-app addresses
    assert sum(r[t("column.fit_issue", "en")] == "Too few stars" for r in rows) == count
    assert all(r[t("column.group_id", "en")] for r in rows) and t("column.profile", "en") not in rows[0]
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", page.inner_text("body")), "unmasked phone number"
