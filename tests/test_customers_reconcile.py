"""Figures that count different populations say so, and add up (issue 13, point 8).

The folder is tests/customers_fixture.py. June 2026:
  revenue of every group billed in June (overview, branches, classes): 101,500 =
      groups active at 06-30 (the Pareto ranking): G1 50000 + G3 20000 + G5 20000 + G2 8300 + G6 1000
      + G7 700 = 100,000
    + groups not active at 06-30: G4 (closed 06-15) 1,500
  ARPU: the active groups with members ÷ their members at 06-30: (100,000 − G7's 700, no members)
      = 99,300 ÷ 7 = 14,185.71 — not revenue ÷ members (101,500 ÷ 7 = 14,500).
Q2 (April–June):
  revenue 134,000 + 134,500 + 101,500 = 370,000 = active at 06-30 362,500 (G1 150000, G5 100000, G3 80000,
      G2 28300, G7 2700, G6 1500) + G4 7,500
  ARPU per member-month: (133,000 + 133,500 + 99,300) ÷ (10 + 10 + 7) = 365,800 ÷ 27
      (April: G1 3 members, G2 2, G3 1, G4 2, G5 2, G7 none; May: G1 3, G2 2, G3 1, G4 2, G5 1, G6 1)
"""
from __future__ import annotations

import pytest

from apptest_pages import open_app_page
from customers_fixture import load
from kam.figures.period import Period
from kam.figures.query import Scope
from kam.figures.reports import run_report
from kam.i18n import t

JUNE, Q2 = Period.parse("2026-06"), Period.parse("2026-Q2")
LANGS = ["zh", "en"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("customers_reconcile") / "exports"
    folder.mkdir()
    load(folder)
    return folder


@pytest.fixture(scope="module")
def wh(folder):
    from customers_fixture import open_warehouse
    return open_warehouse(folder)


def overview(wh, period):
    return run_report(wh, "overview", period).set_index("kpi").value


@pytest.mark.parametrize("period,revenue,active,inactive", [
    (JUNE, 101_500, 100_000, 1_500),
    (Q2, 370_000, 362_500, 7_500),
])
def test_total_revenue_is_the_ranked_groups_revenue_plus_the_groups_no_longer_active(wh, period, revenue, active,
                                                                                     inactive):
    pareto = run_report(wh, "pareto", period).iloc[0]
    assert float(pareto.active_revenue) == active
    assert float(pareto.inactive_revenue) == inactive
    assert float(pareto.revenue) == revenue == active + inactive
    # the pareto's revenue is the overview's, the branches' and the classes' revenue
    assert overview(wh, period)["revenue"] == revenue
    assert float(run_report(wh, "branches", period).revenue.sum()) == revenue
    assert float(run_report(wh, "classes", period).revenue.sum()) == revenue
    # and its share is of the ranked groups' revenue: the top 20 % of 6 groups = 2 (G1 + G3 or G5)
    top = 70_000 if period == JUNE else 250_000  # Q2: G1 150000 + G5 100000
    assert pareto.top20_share == pytest.approx(top / active)


def test_a_narrower_scope_reconciles_too(wh):
    # SZ in June: G5 20000 active, G4 1500 closed
    sz = run_report(wh, "pareto", JUNE, Scope(branches=("SZ",))).iloc[0]
    assert (float(sz.revenue), float(sz.active_revenue), float(sz.inactive_revenue)) == (21_500, 20_000, 1_500)
    assert run_report(wh, "overview", JUNE, Scope(branches=("SZ",))).set_index("kpi").value["revenue"] == 21_500


def test_the_industry_mix_counts_the_ranked_groups_revenue(wh):
    industry = wh.query("pages/classes_industry", wh.period_params(JUNE), Scope())
    assert float(industry.revenue.sum()) == 100_000  # G4 (education, closed) is not there
    assert industry.revenue_share.sum() == pytest.approx(1)


@pytest.mark.parametrize("period,arpu", [(JUNE, 99_300 / 7), (Q2, 365_800 / 27)])
def test_arpu_is_the_active_groups_with_members_revenue_per_member(wh, period, arpu):
    k = overview(wh, period)
    assert k["arpu"] == pytest.approx(round(arpu, 2))
    if period == JUNE:
        assert k["members"] == 7
        assert k["arpu"] != pytest.approx(k["revenue"] / k["members"])  # 14,500: a different population


@pytest.mark.parametrize("lang", LANGS)
def test_labels_and_definitions_say_which_population_each_counts(lang):
    # the ranked revenue has its own name, different from the overview's revenue
    assert t("column.active_revenue", lang) != t("column.revenue", lang)
    assert t("column.inactive_revenue", lang) not in (t("column.revenue", lang), t("column.active_revenue", lang))
    # the definitions name what is left out
    left_out = {"zh": "离网", "en": "closed"}[lang]
    for key in ("metric.arpu.help", "metric.top20_share.help", "metric.active_revenue.help", "metric.revenue.help",
                "metric.industry_mix.help"):
        assert left_out in t(key, lang), key


@pytest.mark.parametrize("lang", LANGS)
def test_the_pareto_view_shows_how_its_revenue_adds_up_to_the_overviews(folder, monkeypatch, lang):
    monkeypatch.setenv("KAM_DATA", str(folder))
    at = open_app_page("classes", lang, period="2026-06", view="pareto")
    captions = " ".join(cap.value for cap in at.caption)
    assert t("customers.classes.pareto_base", lang, groups="6", active="¥100,000.00", inactive="¥1,500.00",
             revenue="¥101,500.00") in captions
    table = next(df.value for df in at.dataframe if t("column.top20_share", lang) in df.value.columns)
    row = table.iloc[0]
    assert float(row[t("column.revenue", lang)]) == 101_500
    assert float(row[t("column.active_revenue", lang)]) == 100_000
    assert float(row[t("column.inactive_revenue", lang)]) == 1_500
