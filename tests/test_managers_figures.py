"""Manager performance, visits and orders on hand-made exports: every figure worked out by hand.

The exports and the story behind them are in tests/managers_fixture.py; each test repeats the
arithmetic it relies on.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

import managers_fixture as fx
from conftest import BRANCHES, write_text
from kam.cli import main
from kam.figures.period import Period
from kam.figures.query import Scope, Warehouse
from kam.figures.reports import run_report
from kam.figures.settings import load_settings

Q2 = Period.parse("2026-Q2")
MAY = Period.parse("2026-05")
JUNE = Period.parse("2026-06")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    # One folder for the module: a refresh per test would cost a second each.
    folder = tmp_path_factory.mktemp("managers") / "exports"
    folder.mkdir()
    write_text(folder / "branches.csv", *BRANCHES)
    return fx.write_exports(folder)


@pytest.fixture(scope="module")
def wh(folder) -> Warehouse:
    return fx.load(folder)


def managers(wh, period=Q2, scope=Scope()) -> pd.DataFrame:
    return run_report(wh, "managers", period, scope).set_index("manager_id")


def page(wh, name, period=Q2, scope=Scope(), **params) -> pd.DataFrame:
    return wh.query(f"pages/{name}", wh.period_params(period) | params, scope)


# ---------------------------------------------------------------- the book, with assignments

def test_a_group_that_changes_hands_mid_quarter_counts_for_whoever_served_it_each_month(wh):
    m = managers(wh)
    # M1 served G1 and G2 all quarter and G3 in April (assignment to 2026-05-15: M1 at the April
    # month end, M2 at the May and June month ends). Book at 2026-06-30: G1 (A) and G2 (B).
    assert m.loc["M1", ["groups", "groups_a", "groups_b", "groups_c"]].tolist() == [2, 1, 1, 0]
    # members at 2026-06-30: G1 4 − 1 (left 05-20) = 3, G2 2 → 5
    assert m.loc["M1", "members"] == 5
    # revenue: G1 3 × 110 + G2 3 × 55 + G3 April 220 = 715; the same groups in the matching months of
    # Q1 (month − 3): G1 300 + G2 150 + G3 January 200 = 650 → growth 715 / 650 − 1 = 0.10
    assert float(m.loc["M1", "revenue"]) == 715.00
    assert float(m.loc["M1", "revenue_prev"]) == 650.00
    assert m.loc["M1", "revenue_growth"] == pytest.approx(0.10)
    # M2: G3 May + June 440 + G4 300 = 740 against G3 Feb + Mar 400 + G4 300 = 700 → 40 / 700
    assert m.loc["M2", ["groups", "members"]].tolist() == [2, 7]  # G3 5 − 1 = 4, G4 3
    assert float(m.loc["M2", "revenue"]) == 740.00
    assert m.loc["M2", "revenue_growth"] == pytest.approx(40 / 700)
    # no billing a year before: year-on-year growth is empty, not zero
    assert m["revenue_yoy"].isna().all()
    # M5 left on 2026-05-10 and G7 went to M6 at the May month end: M5 has no book at the end of Q2.
    assert "M5" not in m.index
    # M6: G7 May + June 2 × 40 + G8 3 × 30 = 170
    assert float(m.loc["M6", "revenue"]) == 170.00
    # In June alone M1 has G1 110 + G2 55 = 165 and G3's June revenue is M2's.
    june = managers(wh, JUNE)
    assert float(june.loc["M1", "revenue"]) == 165.00
    assert float(june.loc["M2", "revenue"]) == 320.00  # G3 220 + G4 100


def test_member_churn_counts_leavers_of_each_month_against_members_at_the_month_end_before(wh):
    m = managers(wh)
    # M1: April G1 0/4, G2 0/2, G3 1/5 (left 04-10); May G1 1/4, G2 0/2; June G1 0/3, G2 0/2
    # → 2 leavers ÷ (4+2+5 + 4+2 + 3+2 = 22)
    assert m.loc["M1", "member_churn_rate"] == pytest.approx(2 / 22)
    assert m.loc["M2", "member_churn_rate"] == 0  # G3 4 + 4 in May/June, G4 3 × 3: nobody left
    # June: M6 serves G7 (2 at the end of May, one leaves 06-05) and G8 (1) → 1 / 3
    assert managers(wh, JUNE).loc["M6", "member_churn_rate"] == pytest.approx(1 / 3)


# ---------------------------------------------------------------- the score

def test_percentile_ranks_among_the_same_star_level_share_ties_and_weight_into_the_score(wh):
    m = managers(wh)
    # Three-star managers M1, M2, M3. Percentile rank = (worse + ½ × equal, self included) ÷ n.
    # revenue growth M1 0.10 > M2 0.057 > M3 0: M3 0.5/3, M2 1.5/3, M1 2.5/3
    assert m.loc[["M1", "M2", "M3"], "pr_revenue_growth"].tolist() == pytest.approx([2.5 / 3, 1.5 / 3, 0.5 / 3])
    # member churn, lower is better: M1 2/22 is worst (0.5/3); M2 and M3 tie at 0: (1 + ½ × 2) / 3
    assert m.loc[["M1", "M2", "M3"], "pr_member_churn"].tolist() == pytest.approx([0.5 / 3, 2 / 3, 2 / 3])
    # visit compliance: M1 1/2 (G1 yes, G2 no), M2 1/2 (G3 yes, G4 no) tie below M3 1/1:
    # M1 = M2 = (0 + ½ × 2) / 3 = 1/3, M3 = (2 + ½) / 3
    assert m.loc[["M1", "M2", "M3"], "visit_compliance"].tolist() == [0.5, 0.5, 1.0]
    assert m.loc[["M1", "M2", "M3"], "pr_visit_compliance"].tolist() == pytest.approx([1 / 3, 1 / 3, 2.5 / 3])
    # resolution within SLA, tickets created in Q2: M1 T1 yes, T2 no (96 h > 72 h), T5 open 8 h of 48
    # → 2/3; M2 T3 yes (3 h ≤ 4 h), T4 no (5 h > 4 h) → 1/2; M3 has no tickets: not measured → 0.5.
    # Ranked among the two measured: M2 0.5/2, M1 1.5/2.
    assert m.loc["M1", "sla_resolve_compliance"] == pytest.approx(2 / 3)
    assert m.loc["M2", "sla_resolve_compliance"] == pytest.approx(1 / 2)
    assert pd.isna(m.loc["M3", "sla_resolve_compliance"])
    assert m.loc[["M1", "M2", "M3"], "pr_sla_resolution"].tolist() == pytest.approx([0.75, 0.25, 0.5])
    # satisfaction of followed-up tickets: M1 (5 + 3) / 2 = 4, M2 (4 + 2) / 2 = 3, M3 none
    assert m.loc[["M1", "M2"], "satisfaction"].tolist() == [4.0, 3.0]
    assert m.loc[["M1", "M2", "M3"], "pr_satisfaction"].tolist() == pytest.approx([0.75, 0.25, 0.5])
    # score = 100 × (0.3 rg + 0.2 churn + 0.2 visits + 0.2 sla + 0.1 satisfaction)
    # M1: 0.3 × 5/6 + 0.2 × 1/6 + 0.2 × 1/3 + 0.2 × 0.75 + 0.1 × 0.75 = 0.575
    # M2: 0.3 × 1/2 + 0.2 × 2/3 + 0.2 × 1/3 + 0.2 × 0.25 + 0.1 × 0.25 = 0.425
    # M3: 0.3 × 1/6 + 0.2 × 2/3 + 0.2 × 5/6 + 0.2 × 0.5 + 0.1 × 0.5 = 0.500
    assert m.loc[["M1", "M2", "M3"], "score"].tolist() == pytest.approx([57.5, 42.5, 50.0])
    assert m.loc[["M1", "M3", "M2"], "rank"].tolist() == [1, 2, 3]
    assert m.loc[["M1", "M2", "M3"], "managers_in_star"].tolist() == [3, 3, 3]
    # M4 (two-star) and M6 (one-star) are alone in their star level: every rank is 0.5, score 50, rank 1
    assert m.loc[["M4", "M6"], "score"].tolist() == [50.0, 50.0]
    assert m.loc[["M4", "M6"], "rank"].tolist() == [1, 1]


def test_score_weights_come_from_the_settings(folder):
    # All weight on visit compliance: the score is 100 × the visit percentile rank.
    settings = load_settings().with_overrides({"score_weights": {
        "revenue_growth": 0.0, "member_churn": 0.0, "visit_compliance": 1.0, "sla_resolution": 0.0,
        "satisfaction": 0.0}})
    m = managers(Warehouse(folder, settings))
    assert m.loc[["M1", "M2", "M3"], "score"].tolist() == pytest.approx([100 / 3, 100 / 3, 250 / 3], abs=0.01)
    # M1 and M2 tie on the score and share the rank below M3
    assert m.loc[["M3", "M1", "M2"], "rank"].tolist() == [1, 2, 2]


def test_ranks_are_among_the_managers_the_viewer_may_see(wh):
    gz = managers(wh, scope=Scope(branches=("GZ",)))
    assert sorted(gz.index) == ["M1", "M2", "M3"]
    only_m2 = managers(wh, scope=Scope(manager_id="M2"))
    # an account manager sees their own row, ranked among everyone in their branches
    assert list(only_m2.index) == ["M2"] and only_m2.loc["M2", "rank"] == 3


# ---------------------------------------------------------------- workload and star fit

def test_workload_compares_the_book_with_the_capacity_of_the_star_level(folder, wh):
    m = managers(wh)
    # M1 three-star, book average members (3 + 2) / 2 = 2.5 → band ≤ 50, A column 14–18; 2 groups → under
    assert m.loc["M1", ["avg_members", "capacity_low", "capacity_high", "workload"]].tolist() == [2.5, 14, 18, "under"]
    # M6 one-star: C column of the first band 35–45
    assert m.loc["M6", ["capacity_low", "capacity_high"]].tolist() == [35, 45]
    # star fit: M4 (two-star) serves G6 (B, fits) and G9 (A needs three stars) → 1/2
    assert m.loc["M4", ["star_fit_rate", "misfit_groups"]].tolist() == [0.5, 1]
    assert m.loc["M1", "star_fit_rate"] == 1.0
    # a planner who says a three-star manager can serve exactly one small group sees M1 overloaded
    tight = load_settings().with_overrides({"capacity.bands.1.a": [1, 1]})
    assert managers(Warehouse(folder, tight)).loc["M1", "workload"] == "over"


def test_orders_and_care_in_the_managers_table(wh):
    m = managers(wh)
    # M1 took O1 and O2 in Q2 and activated O1 (04-20) and O6 (visited in March, activated 04-30)
    assert m.loc["M1", ["orders_visited", "orders_activated"]].tolist() == [2, 2]
    # G1's care visit on 06-17: 1 of M1's 2 groups; G8's on 04-15: 1 of M6's 2
    assert m.loc[["M1", "M2", "M6"], "care_coverage"].tolist() == [0.5, 0.0, 0.5]


# ---------------------------------------------------------------- the visit standard

def judged(wh, period) -> pd.DataFrame:
    return wh.query("shared/visit_compliance", wh.period_params(period)).set_index("group_id")


def test_a_group_with_visits_exactly_at_the_standard_is_compliant(wh):
    q2 = judged(wh, Q2)
    # G1 (A) has exactly 6 counted visits in Q2: the quarter's standard for A is 6
    assert q2.loc["G1", ["visits", "required_visits", "compliant"]].tolist() == [6, 6, True]
    # G4 (A) has 5 counted visits and a `received` one that does not count
    assert q2.loc["G4", ["visits", "compliant"]].tolist() == [5, False]
    # G3's six visits count although two were made by M1 and four by M2
    assert q2.loc["G3", ["visits", "compliant"]].tolist() == [6, True]
    june = judged(wh, JUNE)
    # in June alone A needs 2: G1 has exactly 2 (06-03, 06-17); B needs 1: G2 has 1
    assert june.loc["G1", ["visits", "required_visits", "compliant"]].tolist() == [2, 2, True]
    assert june.loc["G2", ["visits", "required_visits", "compliant"]].tolist() == [1, 1, True]


def test_a_c_group_is_judged_on_the_three_months_ending_with_the_month(wh):
    may, june = judged(wh, MAY), judged(wh, JUNE)
    # G8 (C) has one visit, on 04-15: June's window April–June holds it
    assert june.loc["G8", ["visits", "required_visits", "compliant"]].tolist() == [1, 1, True]
    # G7 (C) was visited on 03-20: compliant in May (March–May), not in June (April–June)
    assert may.loc["G7", ["visits", "compliant"]].tolist() == [1, True]
    assert june.loc["G7", ["visits", "compliant"]].tolist() == [0, False]
    assert str(june.loc["G7", "window_start"])[:10] == "2026-04-01"


def test_visits_report_by_branch_and_class(wh):
    r = run_report(wh, "visits", Q2).set_index(["branch_id", "class"])
    # GZ A: G1 yes, G3 yes, G4 no, G5 yes → 3/4; visits 6 + 6 + 5 + 6 = 23; care: G1 → 1/4
    assert r.loc[("GZ", "A"), ["groups", "compliant_groups", "visits", "cared_groups"]].tolist() == [4, 3, 23, 1]
    assert r.loc[("GZ", "A"), "visit_compliance"] == 0.75
    assert r.loc[("GZ", "A"), "care_coverage"] == 0.25
    # SZ C: G7 no (its visit is in March), G8 yes → 1/2
    assert r.loc[("SZ", "C"), ["groups", "compliant_groups"]].tolist() == [2, 1]
    assert r.loc[("SZ", "A"), "visit_compliance"] == 0.0  # G9 never visited
    gz = run_report(wh, "visits", Q2, Scope(branches=("GZ",)))
    assert set(gz.branch_id) == {"GZ"}
    # by class over both branches: A = G1 G3 G4 G5 G9 → 3/5
    by_class = page(wh, "visits_by_class").set_index("class")
    assert by_class.loc["A", ["groups", "compliant_groups"]].tolist() == [5, 3]
    by_manager = page(wh, "visits_by_manager").set_index("manager_id")
    # M1 made 10 counted visits in Q2 (6 to G1, 2 to G2, 2 to G3)
    assert by_manager.loc["M1", ["visit_compliance", "visit_compliance_a", "visit_compliance_b", "visits_made"]
                          ].tolist() == [0.5, 1.0, 0.0, 10]


def test_care_coverage_by_quarter_and_theme(wh):
    quarters = page(wh, "visits_care_quarters").set_index("quarter_label")
    # Q2 (theme 沟通 communicate): G1 and G8 had a care visit on that theme, of 9 active groups
    assert quarters.loc["2026-Q2", ["quarter_theme", "groups", "cared_groups", "on_theme_groups"]].tolist() == \
        ["communicate", 9, 2, 2]
    assert quarters.loc["2026-Q2", "care_coverage"] == pytest.approx(2 / 9)
    assert quarters.loc["2026-Q1", "cared_groups"] == 0
    themes = page(wh, "visits_care_themes")
    assert themes[["quarter_label", "theme", "care_visits", "is_quarter_theme"]].values.tolist() == \
        [["2026-Q2", "communicate", 2, True]]


def test_groups_overdue_for_a_visit_longest_first(wh):
    overdue = page(wh, "visits_overdue", JUNE)
    # as of 2026-06-30: G9 (A) never visited comes first; G7 (C) last visited 03-20: 102 days > 90.
    # G5 (A) last visited 06-15: exactly 15 days, not overdue; G8 (C) 04-15: 76 days ≤ 90.
    assert overdue.group_id.tolist() == ["G9", "G7"]
    g7 = overdue.set_index("group_id").loc["G7"]
    assert [g7.days_since_visit, g7.interval_days, g7.days_overdue] == [102, 90, 12]


# ---------------------------------------------------------------- the green channel

def test_the_funnel_counts_each_stage_reached_by_orders_visited_in_the_period(wh):
    f = run_report(wh, "funnel", Q2).set_index("stage")
    # visited in Q2: O1 O2 O3 O4 O5 (O6 was visited in March). O1 and O3 skip nothing; O2 stops after
    # the contract; O4 and O5 are only visited.
    assert f["orders"].tolist() == [5, 3, 3, 2, 2]
    # conversion from the stage before: 3/5, 3/3, 2/3, 2/2
    assert f["conversion"].tolist()[1:] == pytest.approx([0.6, 1.0, 2 / 3, 1.0])
    assert pd.isna(f.loc["visited", "conversion"])
    assert f.loc["activated", "conversion_from_visit"] == pytest.approx(0.4)


def test_cycle_time_median_and_90th_percentile(wh):
    f = run_report(wh, "funnel", Q2).set_index("stage")
    # days from the stage before, percentile_cont (linear between ranks):
    #   handled:    O2 1, O1 2, O3 3   → median 2, p90 at 0.9 × 2 = 1.8 → 2 + 0.8 × 1 = 2.8
    #   contracted: O2 4, O1 5, O3 6   → 5 and 5.8
    #   built:      O1 10, O3 20       → 15 and 10 + 0.9 × 10 = 19
    #   activated:  O1 2, O3 2         → 2 and 2
    assert f["median_days"].tolist()[1:] == [2.0, 5.0, 15.0, 2.0]
    assert f["p90_days"].tolist()[1:] == [2.8, 5.8, 19.0, 2.0]
    # visit → activation: O1 19, O3 31 → median 25, p90 19 + 0.9 × 12 = 29.8
    assert f.loc["activated", ["median_days_from_visit", "p90_days_from_visit"]].tolist() == [25.0, 29.8]
    by_product = page(wh, "orders_by_product").set_index("product")
    # line: O1 (complete, 19 days) and O5 (visited only)
    assert by_product.loc["line", ["orders", "handled", "activated", "median_days_visited_activated"]
                          ].tolist() == [2, 1, 1, 19.0]
    by_manager = page(wh, "orders_by_manager").set_index("manager_id")
    # M1: O1 (2 days to handling) and O2 (1 day): median 1.5, p90 1 + 0.9 × 1 = 1.9
    assert by_manager.loc["M1", ["orders", "median_days_visited_handled", "p90_days_visited_handled"]
                          ].tolist() == [2, 1.5, 1.9]


def test_orders_stuck_longer_than_the_chosen_days(wh):
    # as of 2026-06-30 18:00: O2 in 合同签订 since 04-15 10:00 (76 d 8 h); O4 visited 06-20 00:00 (10.75 d)
    stuck = page(wh, "orders_stuck", stuck_days=14, in_period_only=False)
    assert stuck[["order_id", "stage", "days_in_stage"]].values.tolist() == [["O2", "contracted", 76.3]]
    assert page(wh, "orders_stuck", stuck_days=10, in_period_only=False).order_id.tolist() == ["O2", "O4"]
    # June's orders alone: O4 (visited 06-20); O2 was visited in April
    assert page(wh, "orders_stuck", JUNE, stuck_days=10, in_period_only=True).order_id.tolist() == ["O4"]


# ---------------------------------------------------------------- the manager profile

def test_manager_profile_tables(wh):
    trend = page(wh, "manager_profile_trend", manager_id="M1").set_index("month_label")
    # April: G1, G2, G3 → 3 groups, members 4 + 2 + 4 = 10, revenue 110 + 55 + 220 = 385, churn 1 / 11
    assert trend.loc["2026-04", ["groups", "members", "visits", "orders_activated"]].tolist() == [3, 10, 5, 2]
    assert float(trend.loc["2026-04", "revenue"]) == 385.00
    assert trend.loc["2026-04", "member_churn_rate"] == pytest.approx(1 / 11)
    assert trend.loc["2026-05", "groups"] == 2
    book = page(wh, "manager_profile_book", manager_id="M2").set_index("group_id")
    # G3 is in M2's book; its revenue is that of the months M2 served it (May, June)
    assert float(book.loc["G3", "revenue"]) == 440.00
    assert book.loc["G4", ["visits", "required_visits", "compliant"]].tolist() == [5, 6, False]
    calendar = page(wh, "manager_profile_calendar", manager_id="M1").set_index("day")
    assert len(calendar) == 91 and calendar["visits"].sum() == 10
    assert calendar.loc[pd.Timestamp("2026-06-17"), "care_visits"] == 1
    assert page(wh, "manager_profile_complaints", manager_id="M1").ticket_id.tolist() == ["T5"]
    in_flight = page(wh, "manager_profile_orders", manager_id="M1", stuck_days=14)
    assert in_flight[["order_id", "is_stuck"]].values.tolist() == [["O2", True]]


# ---------------------------------------------------------------- page and `kam report` agree

def test_kam_report_prints_the_same_managers_table_as_run_report(folder, wh, capsys):
    assert main(["report", "managers", "--data", str(folder), "--period", "2026-Q2", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    contract = ["manager_id", "branch_id", "star_level", "groups", "members", "revenue", "visit_compliance",
                "sla_resolve_compliance", "score", "rank"]
    assert all(set(contract) <= set(r) for r in records)
    by_id = {r["manager_id"]: r for r in records}
    assert by_id["M1"]["revenue"] == 715.0 and by_id["M1"]["score"] == 57.5 and by_id["M1"]["rank"] == 1
    frame = managers(wh)
    assert sorted(by_id) == sorted(frame.index)
    for name in ("visits", "funnel"):
        assert main(["report", name, "--data", str(folder), "--period", "2026-Q2", "--format", "json"]) == 0
        assert len(json.loads(capsys.readouterr().out)) == len(run_report(wh, name, Q2))
