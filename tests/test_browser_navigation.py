"""In a real browser, on the sample, logged in from a users.toml: drilling stays in the tab and the session.

A regional head drills branch → manager → group by ticking table rows, and stays logged in, in the
same language, period and branch filter, with no "Page not found"; the back button returns to the
list. /overview is the overview's own address. A copied link opened in a fresh browser asks to log
in, in its language, then shows the same view. After logging out, the next user starts clean.
"""
from __future__ import annotations

import re

import pytest

from browser_helpers import LONG, grid, login, menu, pick, users_toml, warehouse_rows
from conftest import start_app, wait_for_app
from kam.i18n import t

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def nav_url(sample_folder, tmp_path_factory):
    users = users_toml(tmp_path_factory.mktemp("nav_users") / "users.toml", sample_folder)
    proc, url = start_app(sample_folder, KAM_USERS=str(users))
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(autouse=True)
def patient(page):
    page.set_default_timeout(LONG)


def tick(page, table, row: int) -> str:
    """Tick the checkbox in front of a row (header and rows are 35 px high); returns the row's id (first column)."""
    row_id = table.locator(f"[data-testid='glide-cell-1-{row}']").inner_text()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 17, box["y"] + 35 + 35 * row + 17)
    return row_id


def the_same_session(page, lang: str, period: str, branch_name: str | None = None) -> None:
    """Still logged in, in the same language, period and branch filter, and no "Page not found"."""
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_role("button", name=t("auth.logout", lang)).is_visible()
    assert sidebar.get_by_role("combobox", name=t("app.period", lang)).input_value() == period
    if branch_name:
        assert branch_name in sidebar.get_by_test_id("stMultiSelect").inner_text()
    assert "Page not found" not in page.inner_text("body")


def test_a_regional_head_drills_branch_manager_group_and_back_in_one_session(nav_url, page, sample_folder):
    (gz_name,), = warehouse_rows(sample_folder, "select branch_name from branches where branch_id = 'GZ'")
    page.goto(nav_url + "/?lang=zh")
    wait_for_app(page, LONG)
    login(page, "gz_head", lang="zh")
    pick(page, t("app.period", "zh"), "2026-Q3")
    page.wait_for_url(re.compile(r"period=2026-Q3"), timeout=LONG)
    pick(page, t("app.branch_filter", "zh"), gz_name)
    page.wait_for_url(re.compile(r"branches=GZ"), timeout=LONG)
    wait_for_app(page, LONG)

    # the branch page from the menu, its drill-down tab
    menu(page, t("page.branches", "zh")).click()
    page.wait_for_url(re.compile(r"/branches\?"), timeout=LONG)
    page.get_by_role("tab", name=t("customers.branches.tab.drill", "zh")).click()
    page.wait_for_url(re.compile(r"view=drill"), timeout=LONG)
    wait_for_app(page, LONG)

    # branch → manager: the first manager's row opens their profile in this tab
    manager = tick(page, grid(page, "branches_drill_managers"), 0)
    page.wait_for_url(re.compile(rf"/manager_profile\?.*manager={manager}"), timeout=LONG)
    page.get_by_role("heading", name=t("page.manager_profile", "zh"), exact=True).wait_for(timeout=LONG)
    wait_for_app(page, LONG)
    the_same_session(page, "zh", "2026-Q3", gz_name)
    assert len(page.context.pages) == 1  # no new browser tab

    # manager → group: the first group of their book
    page.get_by_role("tab", name=t("managers.profile.tab_book", "zh")).click()
    group = tick(page, grid(page, "manager_profile_book"), 0)
    page.wait_for_url(re.compile(rf"/group_profile\?.*group={group}"), timeout=LONG)
    page.get_by_role("heading", name=re.compile(rf"· {group}$")).wait_for(timeout=LONG)
    wait_for_app(page, LONG)
    the_same_session(page, "zh", "2026-Q3", gz_name)
    assert "lang=zh" in page.url and "period=2026-Q3" in page.url and "branches=GZ" in page.url

    # the back button returns to the manager, still in the same session
    page.go_back()
    page.wait_for_url(re.compile(rf"/manager_profile\?.*manager={manager}"), timeout=LONG)
    page.get_by_role("heading", name=t("page.manager_profile", "zh"), exact=True).wait_for(timeout=LONG)
    wait_for_app(page, LONG)
    the_same_session(page, "zh", "2026-Q3", gz_name)


def test_back_returns_to_the_list_as_it_was_left(nav_url, page):
    page.goto(nav_url + "/branches?lang=en&period=2026-Q3&view=drill&branch=GZ")
    wait_for_app(page, LONG)
    login(page, "gz_head", lang="en")
    group = tick(page, grid(page, "branches_drill_groups"), 1)
    page.wait_for_url(re.compile(rf"/group_profile\?.*group={group}"), timeout=LONG)
    page.get_by_role("heading", name=re.compile(rf"· {group}$")).wait_for(timeout=LONG)
    page.go_back()
    page.wait_for_url(re.compile(r"/branches\?.*view=drill"), timeout=LONG)
    page.get_by_role("tab", name=t("customers.branches.tab.drill", "en"), selected=True).wait_for(timeout=LONG)
    grid(page, "branches_drill_groups")  # the list it came from, on its drill-down tab
    wait_for_app(page, LONG)
    the_same_session(page, "en", "2026-Q3")


def test_the_overview_has_its_own_address(nav_url, page):
    page.goto(nav_url + "/overview?lang=en")
    wait_for_app(page, LONG)
    page.get_by_role("button", name=t("auth.login", "en")).wait_for(timeout=LONG)  # no "Page not found" first
    assert "Page not found" not in page.inner_text("body")
    login(page, "ceo", lang="en")
    page.get_by_role("heading", name=t("page.overview", "en"), exact=True).wait_for(timeout=LONG)
    assert re.search(r"/overview\?", page.url)
    assert "Page not found" not in page.inner_text("body")


def test_a_copied_link_opens_the_same_view_after_logging_in(nav_url, browser, sample_folder):
    (group, name), = warehouse_rows(sample_folder, "select group_id, group_name from groups where branch_id = 'GZ' "
                                                   "order by group_id limit 1")
    link = nav_url + f"/group_profile?group={group}&period=2026-Q3&lang=en"
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = fresh.new_page()
        page.goto(link)
        wait_for_app(page, LONG)
        page.get_by_role("button", name=t("auth.login", "en")).wait_for(timeout=LONG)  # the login, in English
        assert "Page not found" not in page.inner_text("body")
        login(page, "gz_head", lang="en")
        page.get_by_role("heading", name=f"{name} · {group}", exact=True).wait_for(timeout=LONG)  # that group…
        the_same_session(page, "en", "2026-Q3")  # …in that period
        assert page.get_by_role("heading", name=t("page.group_profile", "en"), exact=True).is_visible()
    finally:
        fresh.close()


def test_a_link_to_another_branchs_group_is_refused_after_logging_in(nav_url, page, sample_folder):
    (group, name), = warehouse_rows(sample_folder, "select group_id, group_name from groups where branch_id <> 'GZ' "
                                                   "order by group_id limit 1")
    page.goto(nav_url + f"/group_profile?group={group}&lang=zh")
    wait_for_app(page, LONG)
    login(page, "gz_head", lang="zh")
    page.get_by_text(t("customers.profile.not_found", "zh")).wait_for(timeout=LONG)
    assert name not in page.inner_text("body")


def test_after_logging_out_the_next_user_sees_nothing_of_the_previous_one(nav_url, page, sample_folder):
    (group, name), = warehouse_rows(sample_folder, "select group_id, group_name from groups where branch_id = 'SZ' "
                                                   "order by group_id limit 1")
    page.goto(nav_url + f"/group_profile?group={group}&period=2026-Q3&lang=en")
    wait_for_app(page, LONG)
    login(page, "ceo", lang="en")
    page.get_by_role("heading", name=f"{name} · {group}", exact=True).wait_for(timeout=LONG)
    page.locator("[data-testid='stSidebar']").get_by_role("button", name=t("auth.logout", "en")).click()
    page.get_by_role("button", name=t("auth.login", "en")).wait_for(timeout=LONG)
    page.wait_for_url(re.compile(r"/\?lang=en$"), timeout=LONG)  # the root, nothing of the previous view
    login(page, "gz_head", lang="en")
    page.get_by_role("heading", name=t("page.overview", "en"), exact=True).wait_for(timeout=LONG)
    assert "group=" not in page.url and "period=2026-Q3" not in page.url
    menu(page, t("page.group_profile", "en")).click()
    page.get_by_text(t("customers.profile.choose", "en")).wait_for(timeout=LONG)  # no previous group
    assert name not in page.inner_text("body")
