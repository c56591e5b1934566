"""Manager turnover on hand-made exports: who left, where their groups went, and whether a change of
manager costs customers (member churn and revenue in the six months after, against groups without one).

Twelve months of 2025 billing. M1 left on 2025-06-30 and G1 passed to M2 from 2025-07-01; M4 left on
2025-09-15 and nobody took G4 over (groups.manager_id still says M4, no assignment for it).

    group class manager            revenue Jan–Jun / Jul–Dec  members at 2025-06-30 → leavers after
    G1    A     M1, then M2 (July)  100 / 80 a month           10 → 2 leave 2025-08-10
    G2    B     M3                  100 / 110                  5 → 1 leaves 2025-09-01
    G3    A     M2                  200 / 200                  5
    G4    C     M4                  50 / 50                    2
"""
from __future__ import annotations

import pytest

from apptest_pages import open_app_page
from conftest import BRANCHES, write_text
from kam.i18n import t
from kam.figures.period import Period
from kam.figures.query import Scope, Warehouse
from kam.figures.settings import load_settings
from kam.storage.warehouse import refresh

DEC = Period.parse("2025-12")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("turnover") / "exports"
    folder.mkdir()
    write_text(folder / "branches.csv", *BRANCHES)
    write_text(folder / "managers.csv",
               ["manager_id", "manager_name", "branch_id", "star_level", "employment", "hire_date", "leave_date"],
               [["M1", "张一", "GZ", "3", "staff", "2018-01-01", "2025-06-30"],
                ["M2", "李二", "GZ", "3", "staff", "2018-01-01", ""],
                ["M3", "王三", "GZ", "2", "staff", "2018-01-01", ""],
                ["M4", "赵四", "GZ", "1", "outsourced", "2018-01-01", "2025-09-15"]])
    groups = [("G1", "A", "M2"), ("G2", "B", "M3"), ("G3", "A", "M2"), ("G4", "C", "M4")]
    write_text(folder / "groups.csv",
               ["group_id", "group_name", "branch_id", "industry", "sector", "class", "manager_id", "open_date",
                "close_date"],
               [[g, f"集团{g}", "GZ", "制造", "enterprise", c, m, "2020-01-01", ""] for g, c, m in groups])
    write_text(folder / "assignments.csv", ["group_id", "manager_id", "start_date", "end_date"],
               [["G1", "M1", "2020-01-01", "2025-06-30"], ["G1", "M2", "2025-07-01", ""]])
    members, leavers = {"G1": 10, "G2": 5, "G3": 5, "G4": 2}, {"G1": (2, "2025-08-10"), "G2": (1, "2025-09-01")}
    rows = []
    for group, count in members.items():
        leaving, day = leavers.get(group, (0, ""))
        rows += [[f"138{int(group[1:]):04d}{i:04d}", group, "none", "2024-01-01", day if i < leaving else ""]
                 for i in range(count)]
    write_text(folder / "members.csv", ["subscriber_id", "group_id", "vip_tier", "join_date", "leave_date"], rows)
    revenue = {"G1": (100, 80), "G2": (100, 110), "G3": (200, 200), "G4": (50, 50)}
    write_text(folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [[f"2025{m:02d}", g, "", "line", str(first if m <= 6 else second)]
                for g, (first, second) in revenue.items() for m in range(1, 13)])
    refresh(folder)
    return folder


@pytest.fixture(scope="module")
def wh(folder) -> Warehouse:
    return Warehouse(folder, load_settings())


def page(wh, name, period=DEC, scope=Scope()):
    return wh.query(f"pages/{name}", wh.period_params(period), scope)


def test_managers_who_left_and_where_their_groups_went(wh):
    d = page(wh, "turnover_departures").set_index("manager_id")
    # newest leaver first. M4 served G4 at the end of August (the last month end before 09-15) and
    # nobody has served it since: not reassigned.
    assert d.index.tolist() == ["M4", "M1"]
    assert d.loc["M4", ["group_id", "outcome"]].tolist() == ["G4", "not_reassigned"]
    # M1 served G1 at the end of May; the June month end is still his (his assignment ends on the
    # 30th), July's is M2's: reassigned in July, one month after the month he left.
    m1 = d.loc["M1"]
    assert [m1.group_id, m1.outcome, m1.next_manager_id, m1.months_to_reassign] == ["G1", "reassigned", "M2", 1]
    assert str(m1.reassigned_month)[:7] == "2025-07"
    flows = page(wh, "turnover_flows")
    assert flows[["manager_id", "outcome", "next_manager_id", "groups"]].fillna("").values.tolist() == \
        [["M4", "not_reassigned", "", 1], ["M1", "reassigned", "M2", 1]]
    # a leaver after the end of the period has not left yet
    assert page(wh, "turnover_departures", Period.parse("2025-08")).manager_id.tolist() == ["M1"]


def test_churn_and_revenue_after_a_change_of_manager_against_groups_without_one(wh):
    e = page(wh, "turnover_effect").set_index(["cohort", "class"])
    # changed: G1 changed in July; six months after (Jul–Dec) against six before (Jan–Jun):
    #   churn 2 leavers ÷ 10 members at the end of June = 0.2; revenue 480 ÷ 600 − 1 = −0.2
    changed = e.loc[("changed", "all")]
    assert [changed.windows, changed.members_before, changed.members_left] == [1, 10, 2]
    assert changed.member_churn_6m == pytest.approx(0.2)
    assert changed.revenue_change == pytest.approx(-0.2)
    # unchanged: G2, G3, G4 kept their manager all year: churn 1 ÷ (5 + 5 + 2) = 1/12;
    #   revenue (660 + 1200 + 300) ÷ (600 + 1200 + 300) − 1 = 60 / 2100
    same = e.loc[("unchanged", "all")]
    assert [same.windows, same.groups, same.members_before, same.members_left] == [3, 3, 12, 1]
    assert same.member_churn_6m == pytest.approx(1 / 12)
    assert same.revenue_change == pytest.approx(60 / 2100)
    # by class: B is G2 alone (1/5 churn, +10 % revenue)
    assert e.loc[("unchanged", "B"), "member_churn_6m"] == pytest.approx(0.2)
    assert e.loc[("unchanged", "B"), "revenue_change"] == pytest.approx(0.1)
    assert e.loc[("changed", "A"), "groups"] == 1


def test_a_change_without_six_months_after_it_is_not_compared_yet(wh):
    # up to November, July's change has only five months after it
    assert page(wh, "turnover_effect", Period.parse("2025-11")).empty
    assert page(wh, "turnover_effect", scope=Scope(branches=("SZ",))).empty


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_turnover_page_compares_the_two_cohorts(folder, lang, monkeypatch):
    monkeypatch.setenv("KAM_DATA", str(folder))
    at = open_app_page("turnover", lang, period="2025-12")
    effect = at.dataframe[1].value.set_index([t("column.cohort", lang), t("column.class", lang)])
    everyone = t("managers.turnover.all_classes", lang)
    changed = effect.loc[(t("managers.cohort.changed", lang), everyone)]
    assert changed[t("column.member_churn_6m", lang)] == pytest.approx(20.0)  # rates are shown in percent
    assert changed[t("column.revenue_change_rate", lang)] == pytest.approx(-20.0)
    same = effect.loc[(t("managers.cohort.unchanged", lang), everyone)]
    assert same[t("column.member_churn_6m", lang)] == pytest.approx(100 / 12)
    # the Sankey and the two cohort charts
    assert len(at.get("plotly_chart")) == 3
