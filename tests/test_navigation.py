"""Navigation that keeps the session: drilling from a table row, the view in the URL, login and logout.

AppTest on the hand-made folder of customers_fixture.py (GZ: G1 M1, G2 M2, G3 unassigned; SZ: G4 G5
M3; FS: G6 G7 M4), logged in through the login form with a users.toml fixture. The browser side
(same tab, back button, a copied link in a fresh browser) is tests/test_browser_navigation.py.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from customers_fixture import write_customers
from kam.app.auth import hash_password
from kam.i18n import t
from kam.storage.warehouse import refresh

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Guangzhou-2026!"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    exports = write_customers(tmp_path_factory.mktemp("navigation"))
    refresh(exports)
    return exports


@pytest.fixture(scope="module")
def users(tmp_path_factory):
    digest = hash_password(PASSWORD)
    path = tmp_path_factory.mktemp("users") / "users.toml"
    path.write_text(f'[users.gz]\nrole = "regional_head"\nname = "广州"\nbranch = "GZ"\npassword_hash = "{digest}"\n'
                    f'[users.ceo]\nrole = "executive"\nname = "总经理"\npassword_hash = "{digest}"\n',
                    encoding="utf-8")
    return path


@pytest.fixture
def app(folder, users, monkeypatch):
    """A fresh browser session: the app opened at the root, with the URL's query parameters."""
    monkeypatch.setenv("KAM_DATA", str(folder))
    monkeypatch.setenv("KAM_USERS", str(users))

    def open_app(**query) -> AppTest:
        at = AppTest.from_file("../app.py", default_timeout=90)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        return at
    return open_app


def log_in(at: AppTest, user: str) -> AppTest:
    at.text_input[0].input(user)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["viewer"].user == user
    return at


def table(at: AppTest, key: str):
    return next(df for df in at.dataframe if df.key == key)


def tick(at: AppTest, key: str, id_column: str, row_id: str, lang: str, *, opens: str) -> AppTest:
    """Tick the row of `row_id` in the table `key`, as a click on its checkbox does; it opens page `opens`."""
    ids = list(table(at, key).value[t(f"column.{id_column}", lang)])
    at.session_state[key] = {"selection": {"rows": [ids.index(row_id)], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == t(f"page.{opens}", lang)
    # AppTest would rerun the page it was last switched to; the browser stays where it landed
    return at.switch_page(f"pages/{opens}.py")


# ---------------------------------------------------------------- the class of defect, fixed once

def test_no_page_links_out_of_the_session():
    """No table link opens a new browser tab (a new session); pages link and drill through kam.app.ui only."""
    offenders = []
    for path in [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "kam" / "app").glob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.name}: {m}" for m in re.findall(r"LinkColumn\(", text)]
        if path.name != "ui.py":  # ui.page_link, ui.go and ui.drill_table carry the shared view along
            offenders += [f"{path.name}: {m}" for m in re.findall(r"(?<!\bui)\.(?:page_link|switch_page)\(", text)]
    assert offenders == []


def test_every_in_app_address_names_a_page_of_the_app():
    """The addresses the SQL and the pages write ('/group_profile?group=…') all open an existing page."""
    pages = {p.stem for p in (ROOT / "pages").glob("*.py")}
    app_py = (ROOT / "app.py").read_text(encoding="utf-8")
    named = set()
    for path in [*ROOT.joinpath("queries").rglob("*.sql"), *ROOT.joinpath("pages").glob("*.py")]:
        named |= set(re.findall(r"""['"]/([a-z_]+)\?""", path.read_text(encoding="utf-8")))
    assert named and named <= pages, named - pages
    assert all(f'"{p}.py"' in app_py for p in named)


# ---------------------------------------------------------------- the view in the URL

def test_a_link_opened_logged_out_asks_to_log_in_in_its_language_and_keeps_its_view(app):
    at = app(lang="en", period="2026-05")
    assert [b.label for b in at.button] == [t("auth.login", "en")]  # the login form, in English
    assert not at.metric and not at.dataframe
    log_in(at, "ceo")
    assert at.title[0].value == t("page.overview", "en")
    assert at.sidebar.selectbox(key="period").value == "2026-05"
    assert at.query_params["lang"] == "en" and at.query_params["period"] == "2026-05"


def test_the_sidebar_writes_the_view_into_the_url(app):
    at = log_in(app(), "ceo")
    assert at.query_params["lang"] == "zh" and at.query_params["period"] == "2026-06"  # the defaults, named
    at.sidebar.selectbox(key="period").set_value("2026-Q2").run()
    assert at.query_params["period"] == "2026-Q2"
    at.sidebar.multiselect(key="branch_filter").set_value(["SZ", "FS"]).run()
    assert at.query_params["branches"] == ["SZ", "FS"]
    at.sidebar.radio(key="language_radio").set_value("en").run()
    assert at.query_params["lang"] == "en" and at.title[0].value == t("page.overview", "en")
    at.sidebar.multiselect(key="branch_filter").set_value([]).run()
    assert "branches" not in at.query_params
    assert at.query_params["period"] == "2026-Q2"  # still there after the other changes


def test_a_url_never_widens_the_branches_a_role_may_pick(app):
    at = log_in(app(branches=["SZ", "GZ"]), "gz")
    assert at.sidebar.multiselect(key="branch_filter").value == ["GZ"]
    assert at.query_params["branches"] == "GZ"


def test_another_branchs_group_named_in_the_url_is_refused_in_the_viewers_language(app):
    at = log_in(app(lang="zh"), "gz")
    at.query_params["group"] = "G5"
    at.switch_page("pages/group_profile.py").run()
    assert [w.value for w in at.warning] == [t("customers.profile.not_found", "zh")]
    assert not at.metric and not at.dataframe


def test_a_page_the_role_may_not_open_has_an_address_that_refuses_it(app):
    at = log_in(app(lang="en"), "gz")
    at.switch_page("pages/data.py").run()  # registered (hidden), so its address is no "Page not found"
    assert [e.value for e in at.error] == [t("auth.forbidden", "en")]


# ---------------------------------------------------------------- drilling from a table row

def test_a_ticked_row_opens_its_page_in_this_session_with_the_view(app):
    at = log_in(app(lang="en"), "gz")
    at.sidebar.selectbox(key="period").set_value("2026-Q2").run()
    at.sidebar.multiselect(key="branch_filter").set_value(["GZ"]).run()
    at.query_params.update(view="drill", branch="GZ")
    at.switch_page("pages/branches.py").run()
    assert at.title[0].value == t("page.branches", "en")
    # branch → group: G2's row of the branch's groups opens G2's profile
    tick(at, "branches_drill_groups", "group_id", "G2", "en", opens="group_profile")
    assert "G2" in at.subheader[0].value
    assert at.session_state["viewer"].user == "gz"  # still logged in, same language, period and branches
    assert at.sidebar.selectbox(key="period").value == "2026-Q2"
    assert at.sidebar.multiselect(key="branch_filter").value == ["GZ"]
    assert {k: at.query_params[k] for k in ("group", "lang", "period", "branches")} == \
        {"group": "G2", "lang": "en", "period": "2026-Q2", "branches": "GZ"}
    # the list's own view goes along: the back button returns to the branch's drill-down
    assert (at.query_params["view"], at.query_params["branch"]) == ("drill", "GZ")
    # group → its manager (M2) → M2's book → G2 again
    tick(at, "group_profile_managers", "manager_id", "M2", "en", opens="manager_profile")
    assert at.selectbox(key="manager_profile_pick").value == "M2" and at.query_params["manager"] == "M2"
    tick(at, "manager_profile_book", "group_id", "G2", "en", opens="group_profile")
    assert at.query_params["group"] == "G2"


def test_the_managers_list_drills_to_a_profile(app):
    at = log_in(app(lang="zh"), "ceo")
    at.switch_page("pages/managers.py").run()
    tick(at, "managers_table", "manager_id", "M3", "zh", opens="manager_profile")
    assert at.selectbox(key="manager_profile_pick").value == "M3"


# ---------------------------------------------------------------- logging out

def test_logging_out_leaves_nothing_for_the_next_user(app):
    at = log_in(app(lang="en"), "ceo")
    at.sidebar.multiselect(key="branch_filter").set_value(["GZ"]).run()
    at.sidebar.selectbox(key="period").set_value("2026-05").run()
    # the overview's misfit alert lists G2: its row opens G2's profile (no at.switch_page: AppTest would
    # keep rerunning the page it was switched to, where the browser follows the app)
    alert = "overview_alerts_star_misfit"
    at.session_state[alert] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert "G2" in at.subheader[0].value and at.query_params["group"] == "G2"
    at.sidebar.button(key="logout").click().run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button] == [t("auth.login", "en")]  # the login form, still in English
    assert at.query_params == {"lang": "en"}
    for key in ("viewer", "group_profile_group_id", "branch_filter", "period", "_kam_context", alert):
        assert key not in at.session_state, key
    # the next user starts clean: their first page, the default period, no filter, no group
    log_in(at, "gz")
    assert at.title[0].value == t("page.overview", "en")
    assert at.sidebar.selectbox(key="period").value == "2026-06"
    assert at.sidebar.multiselect(key="branch_filter").value == []
    at.switch_page("pages/group_profile.py").run()
    assert [i.value for i in at.info] == [t("customers.profile.choose", "en")]
