"""Targets and 序时进度 (docs/metrics.md: Targets), worked out by hand on a small folder.

    branch  group  class  manager    bills Jun / Jul / Aug    members (joined 2026-01-01)
    GZ      G1     A      M1 ★★★     100 / 300 / 300          4: one leaves 2026-07-10, one 2026-08-05
    SZ      G2     B      M2 ★★      —   / 100 / 150          2, none leave

The as-of time is 2026-08-15 10:00 (order O1 of G1 is activated then): the middle of Q3, whose 92 days
have 46 elapsed (1 July … 15 August, the as-of day counted) → time progress 46 ÷ 92 = 0.5.
Q3 so far (July and August): GZ revenue 600, SZ 250, the province 850.
GZ member churn pooled over the quarter: leavers 1 + 1 ÷ members at the ends of June and July 4 + 3 = 2/7.
Province ARPU: revenue of groups with members 300 + 100 + 300 + 150 = 850 ÷ member-months 3 + 2 + 2 + 2 = 9
→ 94.44 (to the fen).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import write_text
from kam.figures.period import Period
from kam.figures.query import Scope, Warehouse
from kam.figures.reports import run_report
from kam.figures.settings import load_settings
from kam.storage.warehouse import refresh

REPO = Path(__file__).resolve().parent.parent
BILL = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]
TARGETS = [
    ["2026-Q3", "GZ", "revenue", "1000"], ["2026-Q3", "GZ", "orders_activated", "4"],
    ["2026-Q3", "GZ", "members", "2"], ["2026-Q3", "GZ", "member_churn_rate", "25%"],
    ["2026-Q3", "GZ", "star_fit_rate", "0.9"], ["2026-Q3", "SZ", "revenue", "1000"],
    ["2026-Q3", "SZ", "member_churn_rate", "0.01"], ["2026-Q3", "", "revenue", "1700"],
    ["2026-Q3", "", "arpu", "100"], ["2026-08", "GZ", "revenue", "300"], ["2026-Q2", "GZ", "revenue", "5"],
]


def targets_folder(folder: Path) -> Path:
    write_text(folder / "billing.csv", BILL, [
        ["202606", "G1", "", "line", "100"], ["202607", "G1", "", "line", "300"], ["202608", "G1", "", "cloud", "300"],
        ["202607", "G2", "", "voice", "100"], ["202608", "G2", "", "voice", "150"]])
    write_text(folder / "members.csv", ["subscriber_id", "group_id", "join_date", "leave_date"], [
        ["13800000001", "G1", "2026-01-01", "2026-07-10"], ["13800000002", "G1", "2026-01-01", "2026-08-05"],
        ["13800000003", "G1", "2026-01-01", ""], ["13800000004", "G1", "2026-01-01", ""],
        ["13900000001", "G2", "2026-01-01", ""], ["13900000002", "G2", "2026-01-01", ""]])
    write_text(folder / "orders.csv", ["order_id", "group_id", "manager_id", "product", "visited_at", "handled_at",
                                       "contracted_at", "built_at", "activated_at"],
               [["O1", "G1", "M1", "5g_private", "2026-07-01 09:00", "2026-07-02 09:00", "2026-07-10 09:00",
                 "2026-08-01 09:00", "2026-08-15 10:00"]])
    write_text(folder / "targets.csv", ["period", "branch_id", "kpi", "target"], TARGETS)
    refresh(folder)
    return folder


@pytest.fixture
def wh(base_folder) -> Warehouse:
    return Warehouse(targets_folder(base_folder), load_settings(REPO / "settings.toml"))


def rows(wh, period: str, scope: Scope = Scope()) -> dict:
    frame = run_report(wh, "targets", Period.parse(period), scope)
    return {(r.branch_id if isinstance(r.branch_id, str) else None, r.kpi): r for r in frame.itertuples()}


def test_time_progress_at_a_mid_quarter_as_of_date_is_days_elapsed_over_days(wh):
    got = rows(wh, "2026-Q3")
    assert [r.time_progress for r in got.values()] == [pytest.approx(46 / 92)] * len(got)
    # the month: 15 of August's 31 days
    assert rows(wh, "2026-08")[("GZ", "revenue")].time_progress == pytest.approx(15 / 31)


def test_money_and_count_attainment_is_actual_over_target_against_time_progress(wh):
    got = rows(wh, "2026-Q3")
    gz, sz, province = got[("GZ", "revenue")], got[("SZ", "revenue")], got[(None, "revenue")]
    assert (gz.actual, gz.attainment, gz.on_target, gz.ahead_of_time) == (600, pytest.approx(0.6), False, True)
    assert (sz.actual, sz.attainment, sz.on_target, sz.ahead_of_time) == (250, pytest.approx(0.25), False, False)
    # 850 ÷ 1700 = 0.5, exactly the time progress: ahead of time (attainment ≥ time progress)
    assert (province.actual, province.attainment, province.ahead_of_time) == (850, pytest.approx(0.5), True)
    orders = got[("GZ", "orders_activated")]
    assert (orders.actual, orders.attainment, orders.ahead_of_time) == (1, pytest.approx(0.25), False)
    members = got[("GZ", "members")]  # a state, not a flow: judged on target alone
    assert (members.actual, members.attainment, members.on_target) == (2, pytest.approx(1.0), True)
    assert pd.isna(members.ahead_of_time)
    arpu = got[(None, "arpu")]
    assert (arpu.actual, arpu.attainment, arpu.on_target) == (pytest.approx(94.44), pytest.approx(0.9444), False)


def test_rate_attainment_is_the_difference_in_points(wh):
    fit = rows(wh, "2026-Q3")[("GZ", "star_fit_rate")]
    assert (fit.kind, fit.actual, fit.attainment, fit.on_target) == ("rate", 1.0, pytest.approx(0.1), True)
    assert pd.isna(fit.ahead_of_time)


def test_member_churn_is_on_target_at_or_below_it(wh):
    got = rows(wh, "2026-Q3")
    gz, sz = got[("GZ", "member_churn_rate")], got[("SZ", "member_churn_rate")]
    assert (gz.target, gz.actual, gz.on_target) == (0.25, pytest.approx(2 / 7), False)
    assert gz.attainment == pytest.approx(2 / 7 - 0.25)
    # 0 churn against a target of 1 %: on target although 0 < 0.01
    assert (sz.actual, sz.attainment, sz.on_target) == (0.0, pytest.approx(-0.01), True)


def test_a_period_shows_its_own_targets_only(wh):
    assert set(rows(wh, "2026-Q3")) == {("GZ", "revenue"), ("GZ", "orders_activated"), ("GZ", "members"),
                                        ("GZ", "member_churn_rate"), ("GZ", "star_fit_rate"), ("SZ", "revenue"),
                                        ("SZ", "member_churn_rate"), (None, "revenue"), (None, "arpu")}
    month = rows(wh, "2026-08")
    assert set(month) == {("GZ", "revenue")}
    assert (month[("GZ", "revenue")].actual, month[("GZ", "revenue")].attainment) == (300, pytest.approx(1.0))
    assert rows(wh, "2026-07") == {}


def test_a_branch_never_borrows_the_provinces_target(wh):
    # the province has an ARPU target, GZ none: GZ has no ARPU row; a viewer of GZ alone sees no province row
    gz_only = rows(wh, "2026-Q3", Scope(branches=("GZ",)))
    assert set(gz_only) == {("GZ", "revenue"), ("GZ", "orders_activated"), ("GZ", "members"),
                            ("GZ", "member_churn_rate"), ("GZ", "star_fit_rate")}
    assert gz_only[("GZ", "revenue")].actual == 600


def test_without_a_targets_file_the_report_is_empty_with_its_columns(base_folder):
    write_text(base_folder / "billing.csv", BILL, [["202607", "G1", "", "line", "1"]])
    refresh(base_folder)
    frame = run_report(Warehouse(base_folder, load_settings(REPO / "settings.toml")), "targets")
    assert frame.empty
    assert {"branch_id", "kpi", "target", "actual", "attainment", "on_target", "time_progress"} <= set(frame.columns)


def test_the_overview_alerts_branches_behind_time_or_off_target(wh):
    period = Period.parse("2026-Q3")
    alerts = wh.query("pages/overview_alerts", wh.period_params(period))
    mine = alerts[alerts.alert.isin(["behind_time", "off_target"])]
    got = sorted((r.alert, r.branch_id, r.kpi, round(r.value, 4), round(r.threshold, 4), r.kind, r.link)
                 for r in mine.itertuples())
    # GZ revenue 0.6 ≥ 0.5 is ahead; GZ members and star fit are on target; the province is no branch
    assert got == [
        ("behind_time", "GZ", "orders_activated", 0.25, 0.5, "rate", "/branches?branch=GZ&kpi=orders_activated"),
        ("behind_time", "SZ", "revenue", 0.25, 0.5, "rate", "/branches?branch=SZ&kpi=revenue"),
        ("off_target", "GZ", "member_churn_rate", round(2 / 7, 4), 0.25, "rate",
         "/branches?branch=GZ&kpi=member_churn_rate")]
    # the target alerts come first
    assert list(alerts.alert[:3]) == ["behind_time", "behind_time", "off_target"]
