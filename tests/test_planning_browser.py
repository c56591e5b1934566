"""In a real browser, on the sample: a planner moves a what-if lever and sees the gap change; the calculator."""
from __future__ import annotations

import pytest

from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect

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


# ---------------------------------------------------------------- a planner's scenarios, by clicking only

JOURNEY = {"zh": {"tab": "情景模拟", "growth": "{cls}集团数年增长率（%）", "a": "A类", "b": "B类", "name": "情景名称",
                  "save": "保存", "saved": "已保存情景「{name}」", "open": "打开已保存的情景",
                  "compare": "与已保存的情景对比", "names": ("扩张方案", "保守方案"),
                  "high": "需配置人数（上限）"},
           "en": {"tab": "What-if", "growth": "Growth of {cls} groups, % a year", "a": "Class A", "b": "Class B",
                  "name": "Scenario name", "save": "Save", "saved": "Saved the scenario “{name}”",
                  "open": "Open a saved scenario", "compare": "Compare with saved scenarios",
                  "names": ("Expansion plan", "Cautious plan"), "high": "Managers needed (high)"}}


def settle(page) -> None:
    """Until the run is over and nothing on screen is left from the run before (Streamlit keeps an
    element that moved as a stale copy until the run ends: two name boxes, two Save buttons)."""
    wait_for_app(page)
    page.wait_for_function("() => !document.querySelector(\"[data-stale='true']\")", timeout=60_000)


def choose(page, label: str, option: str) -> None:
    """Open the select box or multiselect labelled `label` and click `option`."""
    settle(page)
    box = page.get_by_label(label, exact=True)
    box.click()
    if box.get_attribute("aria-expanded") != "true":
        # Scrolled into view and clicked at once, the menu may open and close again on the scroll that
        # ends just after (a person scrolls first): then click it again, now that it is in view.
        box.click()
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.type(option)  # only the options in view are drawn: narrow them first
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def set_number(page, label: str, value: str, watch: str) -> None:
    """Type a lever and press Enter (levers may be; the scenario name never is), until the metric
    `watch` shows the new run's figure."""
    settle(page)
    shown = page.locator("[data-testid='stMetric']", has_text=watch).locator("[data-testid='stMetricValue']")
    before = shown.inner_text()
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    expect(shown).not_to_have_text(before, timeout=60_000)
    settle(page)


def save_as(page, words: dict, name: str) -> None:
    """Type the name and click Save once: no Enter."""
    settle(page)
    page.get_by_label(words["name"], exact=True).fill(name)
    page.get_by_role("button", name=words["save"]).click()
    page.get_by_text(words["saved"].format(name=name)).wait_for(timeout=60_000)
    settle(page)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_two_scenarios_saved_by_clicking_save_reopen_and_compare_side_by_side(app_url, page, sample_folder, lang):
    import json
    words = JOURNEY[lang]
    first, second = words["names"]
    folder = sample_folder / ".kam" / "scenarios"
    files = [folder / f"{name.replace(' ', '_')}.json" for name in (first, second)]
    growth_a, growth_b = (words["growth"].format(cls=words[k]) for k in ("a", "b"))
    try:
        page.goto(app_url + f"/staffing?lang={lang}")
        wait_for_app(page)
        settle(page)
        page.get_by_role("tab", name=words["tab"]).click()
        high = words["high"]
        set_number(page, growth_a, "20", high)
        save_as(page, words, first)
        # another lever, then name 2 typed over name 1 and Save clicked once
        set_number(page, growth_a, "0", high)
        set_number(page, growth_b, "50", high)
        save_as(page, words, second)
        levers = [json.loads(f.read_text(encoding="utf-8"))["levers"]["group_growth"] for f in files]
        assert levers == [{"A": 0.2, "B": 0.0, "C": 0.0}, {"A": 0.0, "B": 0.5, "C": 0.0}]

        # reopen each: the levers come back into the boxes
        choose(page, words["open"], first)
        expect(page.get_by_label(growth_a, exact=True)).to_have_value("20.0", timeout=90_000)
        expect(page.get_by_label(growth_b, exact=True)).to_have_value("0.0")
        choose(page, words["open"], second)
        expect(page.get_by_label(growth_a, exact=True)).to_have_value("0.0", timeout=90_000)
        expect(page.get_by_label(growth_b, exact=True)).to_have_value("50.0")

        # compare the two side by side: both in the levers table and in the chart's legend
        choose(page, words["compare"], first)
        choose(page, words["compare"], second)
        chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text=first)
        expect(chart.locator(".legendtext", has_text=first)).to_be_visible(timeout=90_000)
        expect(chart.locator(".legendtext", has_text=second)).to_be_visible()
        grid = page.locator("[data-testid='stDataFrame']").filter(
            has=page.locator("[data-testid^='glide-cell-']", has_text=second)).first
        grid.locator("[data-testid^='glide-cell-']", has_text=first).first.wait_for(state="attached", timeout=30_000)
    finally:
        for f in files:
            f.unlink(missing_ok=True)


def test_a_changed_model_weight_survives_a_visit_to_another_page(app_url, page):
    # Settings: weights 0.25, 0.20, 0.20, 0.10, 0.15, 0.10. The first weight typed as 1 makes them sum to
    # 1.75, used rescaled: support (1 × 2 + 0.2 × 3 + 0.2 × 3 + 0.1 × 3 + 0.15 × 2 + 0.1 × 3) ÷ 1.75 = 4.1 ÷ 1.75
    # = 2.34; parallel (5 + 0.8 + 0.8 + 0.4 + 0.6 + 0.3) ÷ 1.75 = 7.9 ÷ 1.75 = 4.51 (settings: 2.60 and 4.15).
    page.goto(app_url + "/model_matrix?lang=en")
    settle(page)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.locator("[data-testid='glide-cell-1-0']").wait_for(state="attached", timeout=30_000)
    support = page.locator("[data-testid='stMetric']", has_text="Support").locator("[data-testid='stMetricValue']")
    expect(support).to_have_text("2.60")
    box = grid.locator("canvas").first.bounding_box()
    editor = page.locator("input.gdg-input")
    for _ in range(3):  # a click that lands while the grid is still being drawn selects nothing: click again
        page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)  # the first row's name; its weight is to the right
        page.keyboard.press("ArrowRight")
        page.keyboard.type("1")  # typing into a chosen cell opens its editor with what was typed
        try:
            editor.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    expect(editor).to_have_value("1")
    editor.press("Enter")
    expect(support).to_have_text("2.34", timeout=60_000)
    settle(page)
    page.get_by_role("link", name="Staffing what-if").click()
    settle(page)
    page.get_by_role("link", name="Management model").click()
    settle(page)
    expect(support).to_have_text("2.34", timeout=60_000)
    parallel = page.locator("[data-testid='stMetric']", has_text="Parallel").locator("[data-testid='stMetricValue']")
    expect(parallel).to_have_text("4.51")
