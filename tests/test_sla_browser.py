"""In a real browser: the complaint-SLA page on the sample — open the at-risk list, then cut it by branch."""
from __future__ import annotations

import pytest

from conftest import wait_for_app
from kam.i18n import t
from kam.figures.period import Period
from kam.figures.query import Warehouse
from kam.figures.settings import load_settings

pytestmark = pytest.mark.browser


def sidebar_branches(page, *names: str) -> None:
    """Pick branches in the sidebar's branch filter, as a person does."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']")
    for name in names:
        box.locator("input").click()
        box.locator("input").fill(name)
        page.get_by_role("option", name=name).click()
    page.keyboard.press("Escape")
    wait_for_app(page)


def grid_texts(table) -> list[str]:
    """The cells of a table on screen (the grid draws on a canvas and mirrors its cells for screen readers)."""
    table.locator("[role='gridcell']").first.wait_for(state="attached", timeout=30_000)
    return table.locator("[role='gridcell']").all_inner_texts()


def test_the_at_risk_list_opens_and_cuts_by_branch(app_url, page, sample_folder):
    # What the sample holds at its as-of time: the at-risk clocks, worked out by the query layer the
    # page uses; the browser must show exactly these tickets, and a branch filter must narrow them.
    wh = Warehouse(sample_folder, load_settings())
    expected = wh.query("pages/sla_at_risk", wh.period_params(wh.default_period() or Period.parse("2026-10")))
    assert not expected.empty, "the sample should hold a ticket about to breach"
    risky_branch = expected.branch_name.iloc[0]
    branches = wh.query("meta/branches")
    calm_branch = next(b for b in branches.branch_name if b not in set(expected.branch_name))

    page.goto(app_url + "/sla?lang=en")
    wait_for_app(page)
    page.get_by_role("tab", name=t("sla.tab_backlog", "en")).click()
    panel = page.get_by_role("tabpanel", name=t("sla.tab_backlog", "en"))
    heading = t("sla.at_risk", "en", share="75.0%")  # every percentage reads with one decimal
    panel.get_by_text(heading).wait_for(timeout=30_000)
    cells = grid_texts(panel.locator("[data-testid='stDataFrame']").first)
    for ticket_id in expected.ticket_id:
        assert ticket_id in cells, ticket_id
    assert t("sla.no_at_risk", "en") not in panel.inner_text()

    # cut by the branch of the first at-risk ticket: it stays; only that branch's tickets are listed
    sidebar_branches(page, risky_branch)
    panel = page.get_by_role("tabpanel", name=t("sla.tab_backlog", "en"))
    panel.get_by_text(heading).wait_for(timeout=30_000)
    cells = grid_texts(panel.locator("[data-testid='stDataFrame']").first)
    for row in expected.itertuples():
        assert (row.ticket_id in cells) == (row.branch_name == risky_branch), row.ticket_id

    # a fresh visit cut by a branch with nothing at risk: the list says so
    page.goto(app_url + "/sla?lang=en")
    wait_for_app(page)
    sidebar_branches(page, calm_branch)
    page.get_by_role("tab", name=t("sla.tab_backlog", "en")).click()
    panel = page.get_by_role("tabpanel", name=t("sla.tab_backlog", "en"))
    panel.get_by_text(t("sla.no_at_risk", "en")).wait_for(timeout=30_000)
