"""Shared by the browser tests: one user per role on the sample, the users file, logging in, reading the screen.

One table of users (USERS) and one way to log in (`login`), so the login, navigation, audit and
journey tests log in as the same people the same way. Every wait here is for a condition on
the screen, never a fixed pause.
"""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
from playwright.sync_api import expect

from conftest import wait_for_app
from kam.app.auth import hash_password
from kam.i18n import t

PASSWORD = "Journey-2026!"
LONG = 90_000  # the machine running the tests is shared: a cold page may take a while

# login → (role, name shown in the sidebar, extra entries). The regional head and the account manager
# are in GZ; the manager's id is the first GZ manager with a book ({gz_manager}, filled in by users_toml).
# There is no complaints role: the complaints lead reads the province's SLA page as an executive does.
USERS: dict[str, tuple[str, str, dict[str, str]]] = {
    "ceo": ("executive", "王总", {}),
    "planner": ("planner", "李规划", {}),
    "gz_head": ("regional_head", "陈广州", {"branch": "GZ"}),
    "gz_manager": ("account_manager", "周经理", {"branch": "GZ", "manager": "{gz_manager}"}),
    "data": ("data_admin", "赵数据", {}),
    "sla_lead": ("executive", "刘投诉", {}),
}
USER_OF_ROLE = {"executive": "ceo", "planner": "planner", "regional_head": "gz_head",
                "account_manager": "gz_manager", "data_admin": "data"}
USER_NAMES = {user: name for user, (_, name, _) in USERS.items()}  # in the sidebar: proper names in either language


def warehouse_rows(folder: Path, sql: str) -> list[tuple]:
    """Rows straight from the loaded warehouse of an export folder (read-only)."""
    from kam.storage.warehouse import current_warehouse
    con = duckdb.connect(str(current_warehouse(folder)), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def gz_manager(folder: Path) -> str:
    """The account manager who logs in: the first GZ manager who has groups."""
    return warehouse_rows(folder, "select manager_id from groups where branch_id = 'GZ' "
                                  "and manager_id is not null order by manager_id limit 1")[0][0]


def users_toml(path: Path, folder: Path, password: str = PASSWORD) -> Path:
    """Write a users file with every user of USERS, all with `password`."""
    digest = hash_password(password)
    filled = {"gz_manager": gz_manager(folder)}
    lines = []
    for user, (role, name, extra) in USERS.items():
        lines += [f"[users.{user}]", f'role = "{role}"', f'name = "{name}"']
        lines += [f'{k} = "{v.format(**filled)}"' for k, v in extra.items()]
        lines += [f'password_hash = "{digest}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def page_lang(page) -> str:
    """The language the page's address asks for (the app's default is Chinese)."""
    return "en" if re.search(r"[?&]lang=en(&|$)", page.url) else "zh"


def login(page, user: str, password: str = PASSWORD, *, lang: str | None = None, ok: bool = True) -> None:
    """Log in on the login form the page shows; until logged in (ok) or told the login is wrong."""
    lang = lang or page_lang(page)
    wait_for_app(page, LONG)  # the form as the finished run drew it
    page.get_by_role("textbox", name=t("auth.user", lang)).fill(user)
    page.get_by_role("textbox", name=t("auth.password", lang)).fill(password)
    page.get_by_role("button", name=t("auth.login", lang)).click()
    if ok:
        page.get_by_role("button", name=t("auth.logout", lang)).wait_for(timeout=LONG)
    else:
        page.get_by_text(t("auth.bad_login", lang)).wait_for(timeout=LONG)
    wait_for_app(page, LONG)


def sidebar(page):
    return page.locator("[data-testid='stSidebar']")


def menu(page, title: str):
    """The sidebar menu's link to a page (its text follows the icon's name)."""
    return page.get_by_test_id("stSidebarNavLink").filter(has_text=re.compile(rf"{re.escape(title)}$"))


def pick(page, label: str, option: str) -> None:
    """Choose `option` in the sidebar's select box or multiselect labelled `label`, as a person does."""
    sidebar(page).get_by_label(label, exact=True).first.click()
    page.keyboard.type(option)  # long lists only render the options in view: narrow them first
    page.get_by_role("option").filter(has_text=re.compile(f"^{re.escape(option)}$")).first.click()


def metric_value(page, label: str, where=None) -> str:
    """The value of the metric card labelled `label` (exactly), as shown."""
    card = (where or page).locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))
    return card.locator("[data-testid='stMetricValue']").first.inner_text().strip()


def grid(page, key: str):
    """The table with this key (a selectable table's own, or that of the downloads under it); its
    accessible copy (the grid draws on a canvas) is filled in."""
    has_class = "contains(concat(' ', @class, ' '), ' st-key-{} ')".format
    table = page.locator(f"xpath=//*[{has_class(key)}]//*[@data-testid='stDataFrame'] | "
                         f"(//*[{has_class(key + '_csv')}]/preceding::*[@data-testid='stDataFrame'])[last()]").first
    table.wait_for(timeout=LONG)
    table.scroll_into_view_if_needed()
    table.locator("[data-testid='glide-cell-1-0']").wait_for(state="attached", timeout=LONG)
    return table


def grid_rows(table) -> int:
    """How many data rows the table holds (the grid tells screen readers: aria-rowcount counts the header)."""
    return int(table.locator("[role='grid']").first.get_attribute("aria-rowcount")) - 1


def expect_rows(table, n: int) -> None:
    """Until the table holds n data rows (a table redrawn by a run gets its new rows a moment later)."""
    expect(table.locator("[role='grid']").first).to_have_attribute("aria-rowcount", str(n + 1), timeout=LONG)


def grid_column(table, column: int) -> list[str]:
    """The cells of one column (0 is the row-selection column where the table has one)."""
    return table.locator(f"[data-testid^='glide-cell-{column}-']").all_inner_texts()
