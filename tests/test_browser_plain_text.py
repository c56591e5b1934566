"""In a real browser: file names shaped like markdown are shown on the Data page as the text they are.

AppTest sees only the markdown source; here Streamlit's own renderer draws it, so a name that
became a link, bold text, a colour or an icon would show in the page's elements.
"""
from __future__ import annotations

import pytest

from conftest import BRANCHES, GROUPS, MANAGERS, start_app, wait_for_app, write_text
from kam.storage.warehouse import refresh

pytestmark = pytest.mark.browser
HOSTILE = "[click me](evil.example) **bold** :red[red] $x$ www.evil.example.csv"
GROUP_NAME = "# 甲集团 见 http://evil.example 或 a@evil.example :material/home:"


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "exports"
    folder.mkdir()
    write_text(folder / "branches.csv", *BRANCHES)
    write_text(folder / "managers.csv", *MANAGERS)
    header, rows = GROUPS
    write_text(folder / "groups.csv", header, [[GROUP_NAME if i == 1 else v for i, v in enumerate(rows[0])], rows[1]])
    write_text(folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202606", "G1", "", "line", "100"]])
    (folder / HOSTILE).write_text("a,b\n1,2\n", encoding="utf-8")  # matches no dataset: named in a warning
    refresh(folder)
    proc, url = start_app(folder, KAM_USERS=str(folder / "no-users.toml"))
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_a_file_named_like_markdown_is_shown_as_its_name(hostile_url, page):
    page.goto(hostile_url + "/data?lang=en")
    wait_for_app(page)
    alert = page.locator("[data-testid='stAlert']").filter(has_text="click me")
    alert.first.wait_for(timeout=30_000)
    shown = alert.first.inner_text().replace("\u2060", "")  # the invisible joiners that break up www.…
    assert HOSTILE in shown  # every character shown, none taken as markup
    main = page.locator("[data-testid='stMain']")
    assert main.locator("a", has_text="click me").count() == 0
    assert main.locator("a[href*='evil']:not([href^='#'])").count() == 0  # a heading's own anchor aside
    bold = alert.first.locator("strong")  # the name itself is bold, as one piece, nothing inside it
    assert bold.count() == 1 and bold.inner_text().replace("\u2060", "") == HOSTILE
    assert alert.first.locator(".katex, [data-testid='stMarkdownColoredText'], span[style*='color']").count() == 0


def test_a_group_name_from_the_export_is_its_profiles_heading_as_text(hostile_url, page):
    page.goto(hostile_url + "/group_profile?group=G1&lang=en")
    wait_for_app(page)
    heading = page.locator("[data-testid='stHeading']").filter(has_text="甲集团")
    heading.first.wait_for(timeout=30_000)
    assert heading.first.inner_text().replace("\u2060", "").startswith(GROUP_NAME + " · G1")
    main = page.locator("[data-testid='stMain']")
    assert main.locator("a[href*='evil']:not([href^='#'])").count() == 0  # a heading's own anchor aside
    assert heading.first.locator("h1").count() == 0  # "# …" stays text inside the subheader
    assert heading.first.locator("[data-testid='stIconMaterial']").count() == 0
