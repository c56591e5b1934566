"""Customer-base figures (overview, branches, classes, Pareto, alerts, group profile) against hand calculations.

The export folder is tests/customers_fixture.py: its docstring lists every group, member, bill,
ticket and visit. Each expected value below is worked out from that table in the comment beside it.
"""
from __future__ import annotations

import pytest

from conftest import write_text
from customers_fixture import load, write_customers
from kam.figures.period import Period
from kam.figures.query import Scope, Warehouse
from kam.figures.reports import run_report
from kam.figures.settings import load_settings
from kam.storage.warehouse import refresh

JUNE, MAY, Q2 = Period.parse("2026-06"), Period.parse("2026-05"), Period.parse("2026-Q2")


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    folder = tmp_path_factory.mktemp("customers") / "exports"
    folder.mkdir()
    return load(folder)


def kpis(wh, period, scope=Scope()):
    frame = run_report(wh, "overview", period, scope)
    return {r.kpi: r for r in frame.itertuples()}


def page(wh, name, period=JUNE, scope=Scope(), **params):
    base = wh.period_params(period)
    base.update(params)
    return wh.query(f"pages/{name}", base, scope)


def missing(value) -> bool:
    return value is None or value != value


# ---------------------------------------------------------------- overview

def test_overview_of_june_against_may_and_june_last_year(wh):
    k = kpis(wh, JUNE)
    # Active at 06-30: G1 G2 G3 G5 G6 G7 (G4 closed 06-15) = 6; at 05-31 all seven; at 2025-06-30 all but G6.
    assert (k["groups"].value, k["groups"].previous, k["groups"].year_ago) == (6, 7, 6)
    assert k["groups"].mom_change == pytest.approx(6 / 7 - 1)
    assert k["groups"].yoy_change == 0
    # by recorded class at 06-30: A = G1 G3, B = G2 G5, C = G6 G7; in May C also had G4
    assert [k[f"groups_{c}"].value for c in "abc"] == [2, 2, 2]
    assert k["groups_c"].previous == 3
    # members of active groups at 06-30: G1 m1 m3, G2 m4 m5, G3 m6, G5 m9, G6 m11 = 7
    # (G4's m8 never left but G4 is closed). 05-31: G1 3 + G2 2 + G3 1 + G4 2 + G5 1 + G6 1 = 10.
    # 2025-06-30: G1 2 + G2 2 + G3 1 + G4 2 + G5 2 = 9.
    assert (k["members"].value, k["members"].previous, k["members"].year_ago) == (7, 10, 9)
    # revenue of every group billed in June, G4 included: 50000+8300+20000+1500+20000+1000+700
    assert k["revenue"].value == pytest.approx(101_500)
    assert k["revenue"].previous == pytest.approx(134_500)  # 50000+10000+30000+3000+40000+500+1000
    assert k["revenue"].year_ago == pytest.approx(84_000)  # 40000+6000+30000+2000+5000+1000
    assert k["revenue"].mom_change == pytest.approx(101_500 / 134_500 - 1)
    assert k["revenue"].yoy_change == pytest.approx(101_500 / 84_000 - 1)
    # ARPU: revenue of active groups with members ÷ their members: (50000+8300+20000+20000+1000) / 7
    assert k["arpu"].value == pytest.approx(round(99_300 / 7, 2))
    assert k["arpu"].previous == pytest.approx(133_500 / 10)  # G7 has no members and is left out
    # SLA: T1 ok, T2 10 h > 8, T3 72 h > 48, T4 ok, T5 open 232 h > 120 → 2 of 5; May: T6 ok → 1 of 1
    assert k["sla_resolve_compliance"].value == pytest.approx(2 / 5)
    assert k["sla_resolve_compliance"].previous == 1
    assert k["sla_resolve_compliance"].mom_change == pytest.approx(2 / 5 - 1)  # a difference of rates
    assert missing(k["sla_resolve_compliance"].year_ago)  # no tickets in June 2025
    # visits: G1 2 ≥ 2, G2 0 (received does not count), G3 1 < 2, G5 1 ≥ 1, G6 none, G7 04-02 within
    # Apr–Jun → 3 of 6. May (all seven): only G7 (C, 04-02 within Mar–May) → 1 of 7; June 2025 (G1–G5,
    # G7): no visits at all → 0 of 6. Changes in points: 1/2 − 1/7 = 5/14 and 1/2 − 0.
    # (more cases: tests/test_visit_compliance_periods.py)
    assert k["visit_compliance"].value == pytest.approx(3 / 6)
    assert k["visit_compliance"].previous == pytest.approx(1 / 7)
    assert k["visit_compliance"].year_ago == 0
    assert k["visit_compliance"].mom_change == pytest.approx(5 / 14)
    assert k["visit_compliance"].yoy_change == pytest.approx(1 / 2)
    # star fit: managed G1 (3≥3) G2 (1<2) G5 (2≥2) G6 G7 (3≥1) → 4 of 5; G3 unassigned on its own
    assert k["star_fit_rate"].value == pytest.approx(4 / 5)
    assert k["star_fit_rate"].previous == pytest.approx(5 / 6)  # May adds G4 (M3 2 ≥ 1)
    assert k["unassigned_groups"].value == 1
    assert set(run_report(wh, "overview", JUNE).months_with_data) == {1}


def test_a_group_that_closed_mid_period_brings_revenue_and_churn_but_is_not_active(wh):
    k = kpis(wh, JUNE)
    assert k["churned_groups"].value == 1  # G4, closed 2026-06-15
    assert k["revenue"].value == pytest.approx(101_500)  # its 1500 of June is revenue
    assert k["groups"].value == 6  # but it is not an active group at 06-30
    pareto = run_report(wh, "pareto", JUNE).iloc[0]
    assert pareto.groups == 6  # and not ranked among the active groups


def test_a_member_who_left_counts_in_the_month_they_left(wh):
    june, may = kpis(wh, JUNE), kpis(wh, MAY)
    # June leavers: m2 (G1, 06-10) and m7 (G4, 06-15) ÷ members active at 05-31 (all groups) 10
    assert june["members_left"].value == 2
    assert june["member_churn_rate"].value == pytest.approx(2 / 10)
    # May: m10 (G5, 05-20) ÷ members at 04-30: G1 3 + G2 2 + G3 1 + G4 2 + G5 2 = 10
    assert may["member_churn_rate"].value == pytest.approx(1 / 10)
    assert june["member_churn_rate"].mom_change == pytest.approx(0.2 - 0.1)
    # June 2025 has no May 2025 before it: its churn cannot be computed
    assert missing(june["member_churn_rate"].year_ago)


def test_yoy_is_empty_when_that_month_is_missing(wh):
    may = kpis(wh, MAY)
    # May 2025 is before the first bill month: no YoY anywhere, MoM against April is there
    assert all(missing(r.year_ago) and missing(r.yoy_change) for r in may.values())
    assert may["revenue"].previous == pytest.approx(134_000)  # April: 50000+10000+30000+3000+40000+1000
    # Q2 2025 has June only (April and May missing): empty; Q1 2026 has March only: empty too
    q2 = kpis(wh, Q2)
    assert all(missing(r.year_ago) and missing(r.previous) for r in q2.values())


def test_a_quarter_adds_up_its_months(wh):
    q2 = kpis(wh, Q2)
    assert q2["revenue"].value == pytest.approx(134_000 + 134_500 + 101_500)
    assert q2["groups"].value == 6  # state at the end of June
    assert q2["members_left"].value == 3  # m10, m2, m7
    # monthly rate over the quarter: (0 + 1 + 2) ÷ (9 at 03-31 + 10 at 04-30 + 10 at 05-31)
    assert q2["member_churn_rate"].value == pytest.approx(3 / 29)
    # ARPU per member-month: April 133000 / 10, May 133500 / 10, June 99300 / 7
    assert q2["arpu"].value == pytest.approx(round((133_000 + 133_500 + 99_300) / 27, 2))
    # tickets created in Q2: T6 ok + June 2 of 5 → 3 of 6
    assert q2["sla_resolve_compliance"].value == pytest.approx(3 / 6)
    # quarter standard A 6, B 3, C 1: only G7 (one visit in April) reaches it → 1 of 6
    assert q2["visit_compliance"].value == pytest.approx(1 / 6)


# ---------------------------------------------------------------- branches

def test_branches_report_every_kpi_and_rank(wh):
    b = run_report(wh, "branches", JUNE).set_index("branch_id")
    assert list(b.index) == ["FS", "GZ", "SZ"]
    # GZ: G1 G2 G3 active; members 2+2+1; revenue 50000+8300+20000; May 90000
    gz = b.loc["GZ"]
    assert (gz.groups, gz.members, float(gz.revenue)) == (3, 5, 78_300)
    assert gz.revenue_mom == pytest.approx(78_300 / 90_000 - 1)
    assert gz.arpu == pytest.approx(78_300 / 5)
    assert gz.member_churn_rate == pytest.approx(1 / 6)  # m2 ÷ (G1 3 + G2 2 + G3 1 at 05-31)
    assert gz.visit_compliance == pytest.approx(1 / 3)  # G1 only
    assert gz.sla_resolve_compliance == pytest.approx(1 / 3)  # T1 ok, T2 T3 late
    assert gz.star_fit_rate == pytest.approx(1 / 2)  # G1 fits, G2 does not, G3 unassigned
    assert gz.unassigned_groups == 1
    # SZ: G5 active (G4 closed); revenue G4 1500 + G5 20000; churn m7 ÷ (G4 2 + G5 1)
    sz = b.loc["SZ"]
    assert (sz.groups, sz.members, float(sz.revenue), sz.churned_groups) == (1, 1, 21_500, 1)
    assert sz.member_churn_rate == pytest.approx(1 / 3)
    assert (sz.visit_compliance, sz.sla_resolve_compliance, sz.star_fit_rate) == (1, 1, 1)
    # FS: G6 G7; one member (m11); revenue 1000 + 700; churn 0 of 1; G6 not visited, G7 yes; T5 late
    fs = b.loc["FS"]
    assert (fs.groups, fs.members, float(fs.revenue)) == (2, 1, 1_700)
    assert fs.member_churn_rate == 0
    assert (fs.visit_compliance, fs.sla_resolve_compliance, fs.star_fit_rate) == (0.5, 0, 1)
    # ranks, 1 = best; churn lower is better; SZ and FS tie on star fit and share rank 1
    assert list(b.revenue_rank) == [3, 1, 2]
    assert list(b.member_churn_rate_rank) == [1, 2, 3]
    assert list(b.visit_compliance_rank) == [2, 3, 1]
    assert list(b.sla_resolve_compliance_rank) == [3, 2, 1]
    assert list(b.star_fit_rate_rank) == [1, 3, 1]


def test_province_is_the_ratio_of_sums_not_the_mean_of_rates(wh):
    p = page(wh, "branches_province").iloc[0]
    assert p.branches == 3 and p.groups == 6 and float(p.revenue) == pytest.approx(101_500)
    assert p.visit_compliance == pytest.approx(3 / 6)  # not (1/3 + 1 + 1/2) / 3
    assert p.member_churn_rate == pytest.approx(2 / 10)
    assert p.revenue_per_branch == pytest.approx(101_500 / 3)
    assert p.revenue_mom == pytest.approx(101_500 / 134_500 - 1)


def test_branch_trend_has_one_row_per_branch_and_month_with_data(wh):
    trend = page(wh, "branches_trend")
    # five bill months (2025-06, 2026-03 … 06); the nine months between had no billing at all
    assert sorted(trend.month_start.astype(str).str[:7].unique()) == ["2025-06", "2026-03", "2026-04", "2026-05",
                                                                     "2026-06"]
    gz = trend[trend.branch_id == "GZ"].set_index(trend[trend.branch_id == "GZ"].month_start.astype(str).str[:7])
    assert float(gz.loc["2026-04", "revenue"]) == 90_000 and gz.loc["2026-04", "members"] == 6  # m3 joined 04-15


def test_drill_down_lists_a_branchs_managers_and_groups(wh):
    managers = page(wh, "branches_managers", branch="GZ").set_index("manager_id")
    assert list(managers.index) == ["M1", "M2"]  # G3 has no manager
    assert (managers.loc["M2", "groups"], managers.loc["M2", "misfit_groups"]) == (1, 1)
    assert managers.loc["M1", "visit_compliance"] == 1 and managers.loc["M2", "visit_compliance"] == 0
    groups = page(wh, "branches_groups", branch="SZ").set_index("group_id")
    # G4 closed during June is listed beside the active G5
    assert set(groups.index) == {"G4", "G5"} and not groups.loc["G4", "is_active"]
    assert float(groups.loc["G5", "revenue_previous"]) == 40_000


# ---------------------------------------------------------------- classes and concentration

def test_classes_report_branch_by_class(wh):
    c = run_report(wh, "classes", JUNE)
    rows = {(r["branch_id"], r["class"]): (r["groups"], float(r["revenue"])) for r in c.to_dict("records")}
    # GZ A: G1 G3 (50000 + 20000); GZ B: G2; SZ B: G5; SZ C: G4 closed (0 groups, its 1500); FS C: G6 G7
    assert rows == {("GZ", "A"): (2, 70_000), ("GZ", "B"): (1, 8_300), ("SZ", "B"): (1, 20_000),
                    ("SZ", "C"): (0, 1_500), ("FS", "C"): (2, 1_700)}
    assert c.revenue.astype(float).sum() == pytest.approx(101_500)  # adds up to the overview's revenue
    assert c.revenue_share.sum() == pytest.approx(1)


def test_pareto_tie_at_the_cut_rounds_up_and_does_not_change_the_share(wh):
    pareto = run_report(wh, "pareto", JUNE).iloc[0]
    # active June revenue: G1 50000, G3 20000, G5 20000, G2 8300, G6 1000, G7 700 = 100000
    # top 20% of 6 groups = ceil(1.2) = 2: G1 and one of the tied G3/G5 → 70000 either way.
    # (rank() instead of row_number() would count both tied groups: 90000, 0.9)
    assert (pareto.groups, pareto.top_groups) == (6, 2)
    assert pareto.top20_share == pytest.approx(0.7)
    # 80%: 50000, 70000, 90000 ≥ 80000 → 3 groups, half of them
    assert (pareto.groups_for_80, pareto.share_for_80) == (3, 0.5)
    curve = page(wh, "classes_pareto_curve")
    # the tie is broken by group_id: G3 before G5, and only G3 is in the top 20%
    assert list(curve.group_id) == ["G1", "G3", "G5", "G2", "G6", "G7"]
    assert list(curve.in_top20) == [True, True, False, False, False, False]
    assert list(curve.cumulative_share) == pytest.approx([0.5, 0.7, 0.9, 0.983, 0.993, 1.0])
    assert curve.group_share.iloc[-1] == 1


def test_pareto_of_a_narrower_scope_and_of_a_whole_group_count(wh):
    # GZ + SZ in June: G1 50000, G3 20000, G5 20000, G2 8300 → 4 groups, ceil(0.8) = 1 → 50000 / 98300
    gz_sz = run_report(wh, "pareto", JUNE, Scope(branches=("GZ", "SZ"))).iloc[0]
    assert (gz_sz.groups, gz_sz.top_groups) == (4, 1)
    assert gz_sz.top20_share == pytest.approx(50_000 / 98_300)
    # May: 7 active groups → ceil(1.4) = 2: G1 50000 + G5 40000 of 134500
    may = run_report(wh, "pareto", MAY).iloc[0]
    assert (may.groups, may.top_groups) == (7, 2)
    assert may.top20_share == pytest.approx(90_000 / 134_500)


def test_suggested_class_and_the_upgrade_and_downgrade_candidates(wh):
    s = page(wh, "classes_suggested").set_index("group_id")
    # trailing Apr–Jun average: G3 (30000+30000+20000)/3 = 26666.67 → B (recorded A: downgrade)
    # G5 (40000+40000+20000)/3 = 33333.33 → A (recorded B: upgrade); G6 active May and June only: 750 → C
    assert s.loc["G3", ["suggested_class", "class_move"]].tolist() == ["B", "downgrade"]
    assert s.loc["G5", ["suggested_class", "class_move"]].tolist() == ["A", "upgrade"]
    assert (s.loc["G6", "avg_revenue_3m"], s.loc["G6", "months_counted"]) == (750, 2)
    assert s.loc["G2", "avg_revenue_3m"] == pytest.approx(9_433.33)
    assert set(s[s.class_move == "keep"].index) == {"G1", "G2", "G6", "G7"}
    assert "G4" not in s.index  # closed
    # May: G5 (10000+40000+40000)/3 = 30000 exactly → A (the threshold itself is A)
    may = page(wh, "classes_suggested", MAY).set_index("group_id")
    assert may.loc["G5", "suggested_class"] == "A"
    # April: February has no billing, so G5 is judged on March and April: 25000 → B
    april = page(wh, "classes_suggested", Period.parse("2026-04")).set_index("group_id")
    assert (april.loc["G5", "avg_revenue_3m"], april.loc["G5", "suggested_class"]) == (25_000, "B")


def test_class_migration_matrix_with_new_and_churned_groups(wh):
    def matrix(period):
        m = page(wh, "classes_migration", period).set_index("from_class")
        return {k: list(row) for k, row in m[["to_a", "to_b", "to_c", "to_churned"]].iterrows()}
    # end of May (suggested): G1 A, G3 A, G5 A (30000), G2 B, G4 G6 G7 C → end of June: G1 A, G5 A,
    # G3 B, G2 B, G6 G7 C, G4 churned
    assert matrix(JUNE) == {"A": [2, 1, 0, 0], "B": [0, 1, 0, 0], "C": [0, 0, 2, 1], "new": [0, 0, 0, 0]}
    # end of April: G1 G3 A, G2 B, G5 B (25000), G4 G7 C; G6 not active yet → new, C in May
    assert matrix(MAY) == {"A": [2, 0, 0, 0], "B": [1, 1, 0, 0], "C": [0, 0, 2, 0], "new": [0, 0, 1, 0]}
    # the month before 2025-06 has no data: nothing to compare
    assert page(wh, "classes_migration", Period.parse("2025-06")).empty


def test_star_fit_counts_unassigned_groups_on_their_own(wh):
    fit = page(wh, "classes_star_fit").set_index("class")
    # A: G1 fits, G3 unassigned; B: G2 misfit (1 star < 2), G5 fits; C: G6 G7 fit
    assert fit.loc["A", ["groups", "with_manager", "fitting_groups", "unassigned_groups"]].tolist() == [2, 1, 1, 1]
    assert fit.loc["A", "star_fit_rate"] == 1  # 1 of the 1 with a manager
    assert fit.loc["B", ["misfit_groups", "star_fit_rate"]].tolist() == [1, 0.5]
    misfits = page(wh, "classes_misfits")
    assert misfits[["group_id", "fit_issue"]].values.tolist() == [["G2", "misfit"], ["G3", "unassigned"]]


def test_vip_tier_industry_and_sector_mix(wh):
    vip = page(wh, "classes_vip_mix")
    tiers = {(r["class"], r["vip_tier"]): r["members"] for r in vip.to_dict("records")}
    # active members of active groups at 06-30: A G1 m1 diamond m3 gold, G3 m6 vip; B G2 m4 silver m5 none,
    # G5 m9 gold; C G6 m11 none
    assert tiers == {("A", "diamond"): 1, ("A", "gold"): 1, ("A", "vip"): 1, ("B", "gold"): 1, ("B", "silver"): 1,
                     ("B", "none"): 1, ("C", "none"): 1}
    assert vip.members.sum() == kpis(wh, JUNE)["members"].value
    industry = page(wh, "classes_industry").set_index(["industry", "class"])
    assert float(industry.loc[("政府", "A"), "revenue"]) == 50_000 and industry.loc[("政府", "A"), "groups"] == 1
    assert industry.index[0] == ("政府", "A")  # the industry with the most revenue first
    assert "教育" not in industry.index.get_level_values(0)  # G4 closed
    sector = page(wh, "classes_sector")
    assert sector[sector.sector == "enterprise"].groups.sum() == 5


def test_product_penetration_and_cross_sell_gaps(wh):
    pen = page(wh, "classes_penetration").set_index(["class", "fee_item"]).penetration
    # line: A G1 of G1 G3; B G2 of G2 G5; C: G7's line row is 0.00, which is not revenue > 0
    assert (pen["A", "line"], pen["B", "line"], pen["C", "line"]) == (0.5, 0.5, 0)
    assert (pen["A", "voice"], pen["B", "data"], pen["C", "vnet"]) == (1, 0.5, 0.5)
    gaps = page(wh, "classes_cross_sell", gap_class="A", gap_product="line")
    assert list(gaps.group_id) == ["G3"]  # the A group without a leased line
    assert list(page(wh, "classes_cross_sell", gap_class="C", gap_product="line").group_id) == ["G6", "G7"]


# ---------------------------------------------------------------- alerts

def test_alerts_of_june_each_with_the_detail_behind_it(wh):
    alerts = page(wh, "overview_alerts")
    got = {(r.alert, r.branch_id if r.group_id != r.group_id or r.group_id is None else r.group_id)
           for r in alerts.itertuples()}
    assert got == {
        ("sla_below", "GZ"), ("sla_below", "FS"),  # 1/3 and 0 < 0.9; SZ 1.0
        ("visit_below", "GZ"), ("visit_below", "FS"),  # 1/3 and 1/2 < 0.8
        ("a_unassigned", "G3"), ("star_misfit", "G2"),
        # G3 20000 vs (30000×3)/3 and G5 20000 vs (10000+40000+40000)/3: both fell 33%; G7 700 vs 1000
        # fell exactly 30% (not more) and G2 17%: no alert
        ("revenue_drop", "G3"), ("revenue_drop", "G5"),
        ("class_upgrade", "G5"), ("class_downgrade", "G3")}
    drop = alerts[alerts.alert == "revenue_drop"].set_index("group_id")
    assert drop.loc["G3", "value"] == pytest.approx(1 / 3)
    # each row opens the view that marks it (issue 13: the alert's rows, not just the page), the alert as a
    # whole the view of all its rows
    links = dict(zip(alerts.alert, alerts.link))
    assert links["sla_below"].startswith("/branches?branch=")
    assert links["star_misfit"] == "/classes?view=misfits&alert=star_misfit"
    assert links["class_upgrade"] == "/classes?view=upgrade&alert=class_upgrade"
    whole = dict(zip(alerts.alert, alerts.alert_link))
    assert whole["visit_below"] == "/branches?kpi=visit_compliance&alert=visit_below"
    # G3 (GZ) and G5 (SZ) one each: the tie goes to the first branch code, FS < GZ < SZ → GZ
    assert whole["revenue_drop"] == "/branches?branch=GZ&alert=revenue_drop"


# ---------------------------------------------------------------- group profile and scope

def test_group_profile_shows_the_group_and_hides_it_outside_the_scope(wh):
    header = page(wh, "group_profile_header", group_id="G1").iloc[0]
    assert (header.group_name, header["class"], header.suggested_class, header.manager_id) == ("甲集团", "A", "A", "M1")
    assert (header.members, float(header.revenue)) == (2, 50_000)
    members = page(wh, "group_profile_members", group_id="G1").set_index("subscriber_id").member_status
    assert members.to_dict() == {"13800000002": "left_in_period", "13800000001": "active", "13800000003": "active"}
    months = page(wh, "group_profile_months", group_id="G1").set_index(
        page(wh, "group_profile_months", group_id="G1").month_start.astype(str).str[:7])
    assert months.loc["2026-06", "member_churn_rate"] == pytest.approx(1 / 3)  # m2 of 3 at 05-31
    fees = page(wh, "group_profile_fees", group_id="G1")
    assert len(fees) == 10 and fees.revenue.astype(float).sum() == pytest.approx(240_000)
    managers = page(wh, "group_profile_managers", group_id="G1")
    assert managers[["manager_id", "source"]].values.tolist() == [["M1", "groups"]]
    assert list(page(wh, "group_profile_visits", group_id="G1").visit_id) == ["V2", "V1"]
    assert list(page(wh, "group_profile_complaints", group_id="G1").ticket_id) == ["T1", "T6"]
    assert list(page(wh, "group_profile_orders", group_id="G1").stage) == ["handled"]
    # another branch's viewer, or an account manager who does not serve it, sees nothing at all
    for scope in (Scope(branches=("SZ",)), Scope(manager_id="M2")):
        for name in ("header", "months", "fees", "members", "managers", "visits", "orders", "complaints"):
            assert page(wh, f"group_profile_{name}", scope=scope, group_id="G1").empty, (scope, name)
    assert list(page(wh, "group_profile_search", scope=Scope(branches=("SZ",)), search="g").group_id) == ["G4", "G5"]


def test_scope_narrows_every_figure(wh):
    k = kpis(wh, JUNE, Scope(branches=("GZ",)))
    assert (k["groups"].value, k["revenue"].value) == (3, 78_300)
    assert k["visit_compliance"].value == pytest.approx(1 / 3)
    assert list(run_report(wh, "branches", JUNE, Scope(branches=("GZ",))).branch_id) == ["GZ"]
    assert set(page(wh, "overview_alerts", scope=Scope(branches=("SZ",))).alert) == {"revenue_drop",
                                                                                       "class_upgrade"}


# ---------------------------------------------------------------- members older than the data

def test_a_member_who_left_before_the_first_bill_month_is_not_counted(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    write_customers(folder)
    members = (folder / "members.csv").read_text().splitlines()[1:]
    write_text(folder / "members.csv", ["subscriber_id", "group_id", "vip_tier", "join_date", "leave_date"],
               [line.split(",") for line in members] + [["13800000012", "G7", "none", "2019-01-01", "2024-12-31"]])
    refresh(folder)
    wh = Warehouse(folder, load_settings())
    # m12 left G7 in 2024, before the first bill month: June still has the 7 members of the main test
    assert kpis(wh, JUNE)["members"].value == 7
