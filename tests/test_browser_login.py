"""In a real browser: log in from a local user file as two roles and see what each may see."""
from __future__ import annotations

import re

import pytest

from browser_helpers import PASSWORD, login, users_toml, warehouse_rows
from conftest import start_app
from kam.i18n import t

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def login_url(sample_folder, tmp_path_factory):
    users = users_toml(tmp_path_factory.mktemp("users") / "users.toml", sample_folder)
    proc, url = start_app(sample_folder, KAM_USERS=str(users))
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def log_in(page, url, user, password=PASSWORD, path="/?lang=en"):
    """Open `path` (a fresh session: the login form, whatever page it names) and log in there."""
    page.goto(url + path)
    login(page, user, password, lang="en", ok=password == PASSWORD)


def nav_text(page) -> str:
    """The sidebar: the pages this viewer may open, and the shared controls."""
    sidebar = page.locator("[data-testid='stSidebar']")
    return sidebar.inner_text() if sidebar.count() else ""


def test_a_wrong_password_is_refused(login_url, page):
    log_in(page, login_url, "gz_head", "wrong")
    assert t("auth.bad_login", "en") in page.inner_text("body")
    assert t("page.overview", "en") not in nav_text(page)  # nothing listed before logging in


def other_branch_group(folder):
    """A group of a branch other than GZ, with its name, read straight from the warehouse."""
    return warehouse_rows(folder, "select group_id, group_name from groups where branch_id <> 'GZ' "
                                  "order by group_id limit 1")[0]


def test_regional_head_sees_only_their_branch_in_detail(login_url, page, sample_folder):
    group_id, group_name = other_branch_group(sample_folder)
    log_in(page, login_url, "gz_head")
    nav = nav_text(page)
    assert t("page.managers", "en") in nav and t("page.data", "en") not in nav
    # a copied link to a group of another branch: after logging in, the refusal and nothing of the group
    log_in(page, login_url, "gz_head", path=f"/group_profile?group={group_id}&lang=en")
    page.get_by_text(t("customers.profile.not_found", "en")).wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert group_name not in body
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", body)
    # the Data page is not theirs, even by URL: its address refuses it
    log_in(page, login_url, "gz_head", path="/data?lang=en")
    page.get_by_text(t("auth.forbidden", "en")).wait_for(timeout=60_000)
    assert t("page.data", "en") not in nav_text(page)


def test_data_admin_sees_the_data_page_only(login_url, page):
    log_in(page, login_url, "data")
    nav = nav_text(page)
    assert t("page.managers", "en") not in nav and t("page.overview", "en") not in nav
    assert t("data.upload", "en") in page.inner_text("body")
