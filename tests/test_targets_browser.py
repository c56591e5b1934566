"""In a real browser, on the sample: the 预警清单 drills to the group of a ticked row in the same tab and
session, and the 拍照保有 page draws its cards and charts — in both languages."""
from __future__ import annotations

import re

import pytest

from conftest import wait_for_app
from kam.i18n import t
from browser_helpers import LONG, grid
from test_browser_navigation import tick

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def patient(page):
    page.set_default_timeout(LONG)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_ticked_warning_opens_its_group_in_the_same_session(app_url, page, lang):
    page.goto(f"{app_url}/warnings?lang={lang}")
    wait_for_app(page, LONG)
    page.get_by_role("heading", name=t("page.warnings", lang)).wait_for()
    group = tick(page, grid(page, "warnings_list"), 0)
    page.wait_for_url(re.compile(rf"/group_profile\?.*group={group}"))
    page.get_by_role("heading", name=t("page.group_profile", lang)).wait_for()
    wait_for_app(page, LONG)
    assert "Page not found" not in page.inner_text("body")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_retention_page_draws_its_cards_and_charts(app_url, page, lang):
    page.goto(f"{app_url}/retention?lang={lang}")
    wait_for_app(page, LONG)
    page.get_by_role("heading", name=t("page.retention", lang)).wait_for()
    page.get_by_text(t("metric.revenue_retention.name", lang), exact=True).first.wait_for()
    page.locator(".js-plotly-plot").nth(1).wait_for()  # the cut and the existing / new revenue
