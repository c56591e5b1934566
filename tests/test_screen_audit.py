"""The screen audit: every page, for every role that may open it, in both languages, read as a person reads it.

A role logs in once per language, then opens each of its pages from the sidebar (in one session, as a
person clicks) and every tab of each page. A screen fails on: a traceback or error box, Streamlit's
"Page not found", the words None / nan / NaN / NaT or a 00:00:00 time anywhere, English on a Chinese
screen or Chinese on an English one (outside tests/screen_audit.py's short allow-list and the proper
names of the data), a table column of numbers with more than 4 decimals or money without ¥, and a
metric whose arrow disagrees with the sign of its number. The rules are in tests/screen_audit.py and
proved able to fail in tests/test_screen_audit_rules.py.
"""
from __future__ import annotations

import duckdb
import pytest

from browser_helpers import USER_NAMES, USER_OF_ROLE, login, users_toml
from conftest import start_app
from kam.app.auth import PAGE_ACCESS
from kam.i18n import t
from kam.storage.warehouse import current_warehouse
from screen_audit import VISIBLE_TEXT_JS, Capture, Screen, screen_findings

# Part of the default run; `make audit` runs it alone.
pytestmark = [pytest.mark.browser, pytest.mark.audit]
APP_PAGES = ["overview", "branches", "classes", "group_profile", "managers", "manager_profile", "turnover",
             "visits", "orders", "sla", "staffing", "model_matrix", "data", "retention", "warnings"]
ROLES = ["executive", "planner", "regional_head", "account_manager", "data_admin"]
RUN_TIMEOUT_MS = 180_000  # a heavy tab on a loaded 2-core machine


def _warehouse_rows(folder, sql):
    con = duckdb.connect(str(current_warehouse(folder)), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def audit_app(sample_folder, tmp_path_factory):
    """The app on the sample with the shared users, one per role (browser_helpers.USERS)."""
    users = users_toml(tmp_path_factory.mktemp("audit-users") / "users.toml", sample_folder)
    proc, url = start_app(sample_folder, KAM_USERS=str(users))
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def data_names(sample_folder) -> set[str]:
    """Proper names from the exports (groups, managers, branches, industries) and the export folder's path and
    file names, as the Data page lists them: not words of either language."""
    rows = _warehouse_rows(sample_folder, """
        select branch_name from branches union select group_name from groups
        union select manager_name from managers union select industry from groups where industry is not null""")
    files = {p.name for p in sample_folder.rglob("*")} | {p.stem for p in sample_folder.rglob("*")}
    return {r[0] for r in rows if r[0]} | set(USER_NAMES.values()) | files | {str(sample_folder)}


def wait_for_run(pg, capture: Capture) -> None:
    """Until the server has finished the run the last action started and the page shows it."""
    capture.wait_finished(RUN_TIMEOUT_MS)
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=RUN_TIMEOUT_MS)


def log_in(pg, capture: Capture, url: str, role: str, lang: str) -> None:
    capture.reset()
    pg.goto(f"{url}/?lang={lang}")
    wait_for_run(pg, capture)
    capture.reset()
    login(pg, USER_OF_ROLE[role], lang=lang)  # until logged in (a viewer of one page has no sidebar menu)
    wait_for_run(pg, capture)


def open_page(pg, capture: Capture, stem: str, lang: str) -> None:
    """Click the page's link in the sidebar; the page a login lands on is already open (and captured)."""
    if not pg.locator("[data-testid='stSidebarNav']").count():
        return  # a viewer of one page (the data admin) has no menu: the login landed on it
    link = pg.locator("[data-testid='stSidebarNav'] a").filter(has_text=t(f"page.{stem}", lang)).first
    if link.get_attribute("aria-current") == "page" or "active" in (link.get_attribute("class") or ""):
        return
    capture.reset()
    link.click()
    wait_for_run(pg, capture)


TAB_SHOWN_JS = """([list, i]) => {
    const lists = document.querySelectorAll("[data-testid='stMain'] [role='tablist']");
    const tab = lists[list] && lists[list].querySelectorAll("[role='tab']")[i];
    if (!tab || tab.getAttribute('aria-selected') !== 'true') return false;
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    const panel = document.getElementById(tab.getAttribute('aria-controls'));
    return !panel || panel.innerText.trim().length > 0;  // a tab drawn on its first opening: drawn now
}"""


def tab_texts(pg) -> list[str]:
    """The visible text of the page, then of each further tab after clicking it (tabs inside tabs too).

    Tab lists are found again after every click: a tab drawn only when it is open reruns the page."""
    texts = [pg.evaluate(VISIBLE_TEXT_JS)]
    lists = "[data-testid='stMain'] [role='tablist']"
    seen = 0
    while seen < pg.locator(lists).count():
        tabs = pg.locator(lists).nth(seen).locator("[role='tab']")
        for i in range(tabs.count()):
            tab = tabs.nth(i)
            if tab.get_attribute("aria-selected") == "true" or not tab.is_visible():
                continue  # the open tab was read with the page; a hidden list belongs to a closed tab
            tab.click()
            pg.wait_for_function(TAB_SHOWN_JS, arg=[seen, i], timeout=RUN_TIMEOUT_MS)
            texts.append(pg.evaluate(VISIBLE_TEXT_JS))
        seen += 1
    return texts


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads_right(audit_app, browser, data_names, role, lang):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    capture = Capture(pg)
    try:
        log_in(pg, capture, audit_app, role, lang)
        findings = []
        for stem in [p for p in APP_PAGES if p in PAGE_ACCESS[role]]:
            open_page(pg, capture, stem, lang)
            screen = Screen(f"{role}/{lang}/{stem}", lang, list(capture.messages), tab_texts(pg))
            findings.extend(screen_findings(screen, data_names))
    finally:
        context.close()
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(findings)
