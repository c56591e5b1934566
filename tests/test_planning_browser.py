"""In a real browser, on the sample: a planner moves a what-if lever and sees the gap change; the calculator."""
from __future__ import annotations

import pytest

from conftest import wait_for_app

pytestmark = pytest.mark.browser


def metric_value(page, label: str) -> str:
    return page.locator("[data-testid='stMetric']", has_text=label).locator(
        "[data-testid='stMetricValue']").first.inner_text().strip()


def test_raising_a_growth_lever_widens_the_gap(app_url, page):
    page.goto(app_url + "/staffing?lang=en")
    wait_for_app(page)
    page.get_by_role("tab", name="What-if").click()
    page.get_by_text("Managers short").first.wait_for(timeout=30_000)
    short_before = int(metric_value(page, "Managers short"))
    needed_before = int(metric_value(page, "Managers needed (low)"))

    growth = page.get_by_label("Growth of Class A groups, % a year")
    growth.fill("100")
    growth.press("Enter")
    wait_for_app(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stMetric']\")].some("
        "m => m.innerText.includes('Managers needed (low)') && m.querySelector(\"[data-testid='stMetricDelta']\"))",
        timeout=30_000)

    # Twice the class-A groups in a year: more three-star managers needed, more short, shown as a change
    assert int(metric_value(page, "Managers needed (low)")) > needed_before
    assert int(metric_value(page, "Managers short")) > short_before
    delta = page.locator("[data-testid='stMetric']", has_text="Managers short").locator(
        "[data-testid='stMetricDelta']").inner_text()
    assert delta.strip().lstrip("+") == str(int(metric_value(page, "Managers short")) - short_before)


def test_the_calculator_answers_as_a_planner_types(app_url, page):
    page.goto(app_url + "/staffing?lang=en")
    wait_for_app(page)
    page.get_by_role("tab", name="Calculator").click()
    # the worked example is there from the start: 412 groups of 210 members → 41–52 three-star managers
    page.get_by_text("Three-star managers needed").first.wait_for(timeout=30_000)
    assert metric_value(page, "Three-star managers needed") == "41–52"
    # 100 groups of 50 members: A 14–18 → 100 ÷ 18 = 5.6 → 6; 100 ÷ 14 = 7.1 → 7
    for label, value in (("Number of groups", "100"), ("Average members per group", "50")):
        box = page.get_by_label(label).first
        box.fill(value)
        box.press("Enter")
        wait_for_app(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stMetricValue']\")].some(v => v.innerText.includes('6–7'))",
        timeout=30_000)
    assert metric_value(page, "Groups per manager") == "14–18"
