"""In a real browser: an address that names no page opens the first page with our own notice in the viewer's
language, not Streamlit's English "Page not found" modal (kam/app/chrome.py: quiet_page_not_found).

The first run after the server starts is the one exception: Streamlit runs it through its pages/-folder
navigation before app.py can replace the hook, so the server is visited once first, as its health check
or first user does."""
from __future__ import annotations

import pytest

from conftest import wait_for_app
from kam.i18n import t

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_address_says_so_in_the_viewers_language(app_url, page, lang):
    page.goto(f"{app_url}/?lang={lang}")
    wait_for_app(page)
    page.goto(f"{app_url}/no_such_page?lang={lang}")
    # the notice is drawn in the same run that resolves the address, after any modal Streamlit would send
    page.get_by_test_id("stToast").filter(has_text=t("app.page_not_found", lang)).wait_for(timeout=60_000)
    wait_for_app(page)
    page.get_by_role("heading", name=t("page.overview", lang), exact=True).wait_for(timeout=60_000)
    assert page.get_by_role("dialog").count() == 0
    assert "Page not found" not in page.inner_text("body")
    assert "/no_such_page" not in page.url  # the address now names the page shown
