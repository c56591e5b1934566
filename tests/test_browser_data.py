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
