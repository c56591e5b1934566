"""In a real browser, on the generated sample: a branch head sorts the manager table, narrows it to one
star level and opens a manager's profile."""
from __future__ import annotations

import re

import pytest

from conftest import wait_for_app

pytestmark = pytest.mark.browser


def cells(grid, column: int, rows: int) -> list[str]:
    """The text of the first rows of a column (0 = the first after the rows' tick boxes), from the grid's
    accessible table (the grid draws on a canvas)."""
    return [grid.locator(f"[data-testid='glide-cell-{column + 1}-{row}']").inner_text() for row in range(rows)]


def pick(page, label: str, option: str) -> None:
    """Open the select box (or multiselect) labelled `label` and choose `option`, as a person does."""
    page.get_by_label(label, exact=True).first.click()
    page.keyboard.type(option)  # long lists only render the options in view: narrow them first
    page.get_by_role("option").filter(has_text=re.compile(f"^{re.escape(option)}$")).first.click()
    wait_for_app(page)


def test_sort_the_manager_table_filter_by_star_level_and_open_a_profile(app_url, page):
    page.goto(app_url + "/managers?lang=en")
    wait_for_app(page)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.locator("[data-testid='glide-cell-1-0']").wait_for(state="attached", timeout=30_000)
    grid.scroll_into_view_if_needed()
    # The table opens ordered by star level and rank: ranks 1, 2, 3 of the three-star managers.
    assert cells(grid, 6, 3) == ["1", "2", "3"]
    # Clicking the first header (the manager ID, after the column of tick boxes) sorts by it.
    box = grid.locator("canvas").first.bounding_box()
    page.mouse.click(box["x"] + 35 + 30, box["y"] + 17)
    page.wait_for_function("() => { const c = [0, 1, 2, 3, 4].map(r => document.querySelector("
                           "`[data-testid='glide-cell-1-${r}']`)?.innerText);"
                           " return c.every((v, i) => i === 0 || c[i - 1] <= v); }")
    ids = cells(grid, 0, 5)
    assert ids == sorted(ids), ids
    # Only the two-star managers: every row says star level 2.
    pick(page, "Star level", "Two-star manager")
    grid = page.locator("[data-testid='stDataFrame']").first
    # the filtered table is drawn once the count card says fewer than all managers and the rows say two stars
    page.wait_for_function("() => { const m = document.querySelector(\"[data-testid='stMetricValue']\");"
                           " return m && Number(m.innerText.replace(/,/g, '')) < 285; }")
    page.wait_for_function("() => [0, 1, 2].every(r => document.querySelector("
                           "`[data-testid='glide-cell-4-${r}']`)?.innerText === '2')")
    shown = int(page.get_by_test_id("stMetricValue").first.inner_text())
    assert 0 < shown < 285
    assert set(cells(grid, 3, min(shown, 8))) == {"2"}
    first_name, rank = cells(grid, 1, 1)[0], cells(grid, 6, 1)[0]
    first_id = cells(grid, 0, 1)[0]
    # Open that manager's profile from the picker under the table.
    pick(page, "Open the profile of", f"{first_id} · {first_name}")
    page.get_by_role("link", name="Open profile").click()
    page.wait_for_url(re.compile(r"/manager_profile"), timeout=90_000)
    wait_for_app(page)
    page.get_by_role("heading", name=re.compile(re.escape(first_name))).first.wait_for(timeout=90_000)
    body = page.inner_text("body")
    assert "Two-star manager" in body and f"rank {rank} of" in body
    assert f"manager={first_id}" in page.url
