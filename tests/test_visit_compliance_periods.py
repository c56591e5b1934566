"""Visit compliance of the chosen period, the previous one and the same period a year earlier, against
hand calculations (metrics.md: Visit standard; Growth: empty where that period misses a month).

Two hand-made folders:
- tests/customers_fixture.py (months 2025-06 and 2026-03 … 2026-06 have billing) with the visits below
  in place of its own, for months: June 2026 against May 2026 and June 2025; May 2026 whose year-ago
  month (May 2025) has no billing at all;
- tests/managers_fixture.py (billing January–June 2026), for quarters: 2026-Q2 against 2026-Q1, whose
  year-ago quarter has no billing; and the monthly line of the manager profile's trend.

Visit standard (defaults): A 2 a month, B 1 a month, C 1 in the three months ending with the month;
a quarter: A 6, B 3, C 1. Visits of kind visit and care count, received does not.
"""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

import managers_fixture as mfx
from conftest import BRANCHES, write_text
from customers_fixture import open_warehouse, write_customers
from kam.i18n import t
from kam.figures.period import Period
from kam.figures.query import Scope
from kam.figures.reports import run_report
from kam.storage.warehouse import refresh

JUNE, MAY, Q2 = Period.parse("2026-06"), Period.parse("2026-05"), Period.parse("2026-Q2")
LANGS = ["zh", "en"]

# The customers fixture's groups (class, branch, manager; open/close):
#   G1 A GZ M1 · G2 B GZ M2 · G3 A GZ (none) · G4 C SZ M3, closed 2026-06-15 · G5 B SZ M3
#   G6 C FS M4, opened 2026-05-10 · G7 C FS M4
# Its visits V1–V6 are kept; V7–V10 are added here.
VISITS = [
    ["V1", "M1", "G1", "2026-06-03", "visit", ""],
    ["V2", "M1", "G1", "2026-06-17", "care", "communicate"],
    ["V3", "M2", "G2", "2026-06-05", "received", ""],  # does not count
    ["V4", "M1", "G3", "2026-06-08", "visit", ""],
    ["V5", "M3", "G5", "2026-06-30", "visit", ""],
    ["V6", "M4", "G7", "2026-04-02", "visit", ""],
    # G6 (C): its one visit of the quarter falls in May, the month before June
    ["V7", "M4", "G6", "2026-05-20", "visit", ""],
    # a year earlier: G1 (A) twice in June 2025, G5 (B) only a received visit
    ["V8", "M1", "G1", "2025-06-10", "visit", ""],
    ["V9", "M1", "G1", "2025-06-24", "care", "communicate"],
    ["V10", "M3", "G5", "2025-06-12", "received", ""],
]


def missing(value) -> bool:
    return value is None or value != value


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("visit_periods") / "exports"
    folder.mkdir()
    write_customers(folder)
    write_text(folder / "visits.csv", ["visit_id", "manager_id", "group_id", "visit_date", "kind", "theme"], VISITS)
    refresh(folder)
    return folder


@pytest.fixture(scope="module")
def wh(folder):
    return open_warehouse(folder)


@pytest.fixture(scope="module")
def mwh(tmp_path_factory):
    folder = tmp_path_factory.mktemp("visit_periods_managers") / "exports"
    folder.mkdir()
    write_text(folder / "branches.csv", *BRANCHES)
    mfx.write_exports(folder)
    return mfx.load(folder)


def overview(wh, period, scope=Scope()):
    return run_report(wh, "overview", period, scope).set_index("kpi").loc["visit_compliance"]


def judged(wh, period):
    frame = wh.query("shared/visit_compliance_periods", wh.period_params(period))
    return frame[frame.period_kind != "month"].set_index(["period_kind", "group_id"])


# ---------------------------------------------------------------- a month against the month before and a year before

def test_june_against_may_and_june_last_year(wh):
    vc = overview(wh, JUNE)
    # June 2026, book at 06-30: G1 G2 G3 G5 G6 G7 (G4 closed 06-15) = 6
    #   G1 A: V1 + V2 = 2 ≥ 2 ✓   G2 B: only received ✗   G3 A: 1 < 2 ✗   G5 B: V5 (06-30) ✓
    #   G6 C: Apr–Jun holds V7 (05-20) ✓   G7 C: Apr–Jun holds V6 (04-02) ✓          → 4 / 6
    assert vc.value == pytest.approx(4 / 6)
    # May 2026, book at 05-31: all seven (G6 opened 05-10)
    #   G1 G2 G3 G5: no visit in May ✗   G4 C: nothing in Mar–May ✗
    #   G6 C: Mar–May holds V7 ✓   G7 C: Mar–May holds V6 ✓                          → 2 / 7
    assert vc.previous == pytest.approx(2 / 7)
    # June 2025, book at 2025-06-30: G1 G2 G3 G4 G5 G7 (G6 not open yet) = 6
    #   G1 A: V8 + V9 = 2 ✓   G5 B: only received ✗   G4, G7 C: nothing in Apr–Jun 2025 ✗   → 1 / 6
    assert vc.year_ago == pytest.approx(1 / 6)
    # rates change in points: 4/6 − 2/7 = 8/21; 4/6 − 1/6 = 1/2
    assert vc.mom_change == pytest.approx(8 / 21)
    assert vc.yoy_change == pytest.approx(1 / 2)


def test_each_branch_has_its_earlier_periods_too(wh):
    kpis = wh.query("shared/period_kpis", wh.period_params(JUNE))
    rates = kpis[kpis.branch_id.notna() & kpis.period.isin(["current", "previous", "year_ago"])].pivot(
        index="branch_id", columns="period", values="visit_compliance")
    # GZ (G1 G2 G3): June G1 → 1/3; May none → 0/3; June 2025 G1 → 1/3
    assert rates.loc["GZ"].tolist() == pytest.approx([1 / 3, 0, 1 / 3])  # columns: current, previous, year_ago
    # SZ: June G5 (G4 closed) → 1/1; May G4 ✗ G5 ✗ → 0/2; June 2025 G4 ✗ G5 ✗ → 0/2
    assert rates.loc["SZ"].tolist() == pytest.approx([1, 0, 0])
    # FS: June G6 ✓ G7 ✓ → 2/2; May the same → 2/2; June 2025 only G7 ✗ → 0/1
    assert rates.loc["FS"].tolist() == pytest.approx([1, 1, 0])
    # the monthly trend rows keep no visit compliance (the branches page says so)
    assert kpis[kpis.period == "month"].visit_compliance.isna().all()


def test_a_c_group_visited_once_in_the_previous_month_is_compliant_in_both_months(wh):
    g6 = judged(wh, JUNE).xs("G6", level="group_id")
    # June: window 2026-04-01 … 06-30; May: window 2026-03-01 … 05-31; both hold V7 of 05-20
    current, previous = g6.loc["current"], g6.loc["previous"]
    assert str(current.window_start)[:10] == "2026-04-01"
    assert current[["required_visits", "visits", "compliant"]].tolist() == [1, 1, True]
    assert str(previous.window_start)[:10] == "2026-03-01"
    assert previous[["required_visits", "visits", "compliant"]].tolist() == [1, 1, True]
    assert "year_ago" not in g6.index  # not open in June 2025: not in that book


def test_a_missing_year_ago_month_leaves_year_ago_empty(wh):
    vc = overview(wh, MAY)
    # May 2026 = 2/7 (above); April 2026, book at 04-30: G1 G2 G3 G4 G5 G7 (G6 opens in May) = 6,
    #   only G7 (C, V6 on 04-02) ✓ → 1/6; mom 2/7 − 1/6 = 5/42
    assert (vc.value, vc.previous, vc.mom_change) == pytest.approx((2 / 7, 1 / 6, 5 / 42))
    # May 2025 has no billing at all: no year-ago value and no YoY change
    assert missing(vc.year_ago) and missing(vc.yoy_change)


def test_the_shared_definition_for_the_chosen_period_is_unchanged(wh):
    # every page and report reads shared/visit_compliance: the chosen period's rows, the same columns
    current = wh.query("shared/visit_compliance", wh.period_params(JUNE))
    assert list(current.columns) == ["group_id", "branch_id", "manager_id", "class", "window_start",
                                     "required_visits", "visits", "compliant"]
    assert sorted(current.group_id) == ["G1", "G2", "G3", "G5", "G6", "G7"]
    assert sorted(current[current.compliant].group_id) == ["G1", "G5", "G6", "G7"]


# ---------------------------------------------------------------- a quarter against the quarter before

def test_a_quarter_against_the_previous_quarter_and_a_missing_year_ago(mwh):
    vc = overview(mwh, Q2)
    # Q2 2026 (standard A 6, B 3, C 1), book at 06-30: G1 6 ✓, G2 2 < 3 ✗, G3 6 ✓, G4 5 ✗, G5 6 ✓,
    #   G6 3 ✓, G9 0 ✗, G7 (its March visit is outside Q2) ✗, G8 04-15 ✓                   → 5 / 9
    assert vc.value == pytest.approx(5 / 9)
    # Q1 2026 (January–March all billed), book at 03-31: the same nine; the only Q1 visit is G7's on
    #   03-20 (C needs 1) → 1 / 9; mom 5/9 − 1/9 = 4/9
    assert vc.previous == pytest.approx(1 / 9)
    assert vc.mom_change == pytest.approx(4 / 9)
    # Q2 2025 has no billing: empty
    assert missing(vc.year_ago) and missing(vc.yoy_change)
    # an SZ viewer: Q2 G6 ✓ G9 ✗ G7 ✗ G8 ✓ → 2/4; Q1 only G7 → 1/4
    sz = overview(mwh, Q2, Scope(branches=("SZ",)))
    assert (sz.value, sz.previous, sz.mom_change) == pytest.approx((2 / 4, 1 / 4, 1 / 4))


def test_manager_profile_trend_has_a_monthly_visit_compliance(mwh):
    params = mwh.period_params(Q2)
    params["manager_id"] = "M6"
    trend = mwh.query("pages/manager_profile_trend", params).set_index("month_label")
    # M6's book: G8 (C) every month; G7 (C) from May (M5's until 05-10). Each month judged as a month:
    #   Jan, Feb, Mar: G8, nothing in the three months ending with it → 0/1
    #   Apr: G8, Feb–Apr holds 04-15 → 1/1;  May: G7 (Mar–May holds 03-20) and G8 (04-15) → 2/2
    #   Jun: G7, Apr–Jun has nothing ✗; G8 04-15 ✓ → 1/2
    assert list(trend.index) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert trend.visit_compliance.tolist() == pytest.approx([0, 0, 0, 1, 1, 0.5])
    assert trend.compliant_groups.tolist() == [0, 0, 0, 1, 2, 1]


# ---------------------------------------------------------------- on screen

@pytest.mark.parametrize("lang", LANGS)
def test_overview_card_shows_visit_compliance_against_may_and_last_june(folder, monkeypatch, lang):
    monkeypatch.setenv("KAM_DATA", str(folder))
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["period"] = "2026-06"
    at.run()
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception, at.exception
    card = {m.label: m for m in at.metric}[t("metric.visit_compliance.name", lang)]
    assert card.value == "66.7%"  # 4 / 6
    assert card.delta == t("customers.points", lang, value="+38.1")  # 8/21 = 38.1 points
    captions = [e.value for e in at.caption]
    assert t("customers.yoy_is", lang, value=t("customers.points", lang, value="+50.0")) in captions  # 1/2


@pytest.mark.parametrize("lang", LANGS)
def test_manager_profile_draws_the_monthly_visit_compliance(mwh, monkeypatch, lang):
    monkeypatch.setenv("KAM_DATA", str(mwh.folder))
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["period"] = "2026-Q2"
    at.query_params["manager"] = "M6"
    at.run()
    at.switch_page("pages/manager_profile.py")
    at.run()
    assert not at.exception, at.exception
    chart = json.loads(next(e.proto.spec for e in at.get("plotly_chart") if e.key == "manager_profile_trend_chart"))
    line = next(d for d in chart["data"] if d["name"] == t("column.visit_compliance", lang))
    assert "%{y:.2%}" in line["hovertemplate"]  # exact on hover, with compliant / groups beside it
    trend = at.dataframe[0].value.set_index(t("column.month_label", lang))
    assert trend[t("column.visit_compliance", lang)].tolist() == pytest.approx([0, 0, 0, 100, 100, 50])  # in %
