"""拍照 retention against the hand-worked values of tests/retention_fixture.py."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kam.figures.period import Period
from kam.figures.query import Scope, Warehouse
from kam.figures.reports import run_report
from kam.figures.settings import load_settings
from kam.storage.warehouse import refresh
from retention_fixture import write_exports

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Warehouse:
    folder = tmp_path_factory.mktemp("retention") / "exports"
    folder.mkdir()
    refresh(write_exports(folder))
    return Warehouse(folder, load_settings(REPO / "settings.toml"))


def report(wh, period: str, scope: Scope = Scope()) -> pd.DataFrame:
    return run_report(wh, "retention", Period.parse(period), scope).set_index("branch_id")


def test_the_snapshot_month_is_december_of_the_year_before_by_default(wh):
    got = report(wh, "2026-03")
    assert set(got.snapshot_month) == {pd.Timestamp("2025-12-01")}
    assert set(got.month) == {pd.Timestamp("2026-03-01")}
    assert wh.snapshot_month(Period.parse("2025-12")) == dt.date(2024, 12, 1)


def test_group_retention_counts_snapshot_groups_still_active(wh):
    got = report(wh, "2026-03")
    assert got.loc["GZ", ["snapshot_groups", "retained_groups"]].tolist() == [2, 1]
    assert got.loc["GZ", "group_retention"] == 0.5 and got.loc["SZ", "group_retention"] == 1.0
    assert got.loc["GZ", "group_retention_mom"] == 0.0  # G3 had already closed by the end of February
    assert got.group_retention_rank.to_dict() == {"GZ": 2, "SZ": 1}


def test_revenue_retention_is_the_months_revenue_over_the_snapshot_months(wh):
    got = report(wh, "2026-03")
    assert (got.loc["GZ", "snapshot_revenue"], got.loc["GZ", "revenue"]) == (1200, 1100)
    assert got.loc["GZ", "revenue_retention"] == pytest.approx(11 / 12)
    assert got.loc["GZ", "revenue_retention_mom"] == pytest.approx(11 / 12 - 850 / 1200)
    assert got.loc["SZ", "revenue_retention"] == pytest.approx(0.5)
    assert got.loc["SZ", "revenue_retention_mom"] == pytest.approx(-0.3)
    assert got.revenue_retention_rank.to_dict() == {"GZ": 1, "SZ": 2}


def test_member_retention_counts_snapshot_members_still_active_at_month_end(wh):
    got = report(wh, "2026-03")
    assert got.loc["GZ", ["snapshot_members", "retained_members"]].tolist() == [5, 1]
    assert got.loc["GZ", "member_retention"] == pytest.approx(0.2)
    assert got.loc["GZ", "member_retention_mom"] == pytest.approx(-0.2)
    assert got.loc["SZ", ["snapshot_members", "retained_members", "member_retention"]].tolist() == [1, 1, 1.0]


def test_existing_and_new_revenue_over_the_period(wh):
    month, quarter = report(wh, "2026-03"), report(wh, "2026-Q1")
    assert month[["existing_revenue", "new_revenue"]].astype(float).to_dict("index") == {
        "GZ": {"existing_revenue": 1100.0, "new_revenue": 600.0}, "SZ": {"existing_revenue": 250.0, "new_revenue": 0.0}}
    assert quarter[["existing_revenue", "new_revenue"]].astype(float).to_dict("index") == {
        "GZ": {"existing_revenue": 3050.0, "new_revenue": 1000.0}, "SZ": {"existing_revenue": 1150.0, "new_revenue": 0.0}}
    # a quarter is judged at its last month: the same rates as March
    assert quarter.loc["GZ", "revenue_retention"] == pytest.approx(11 / 12)


def test_existing_and_new_revenue_month_by_month_since_the_snapshot(wh):
    trend = wh.query("pages/retention_trend", wh.period_params(Period.parse("2026-03")))
    assert [(str(m)[:7], float(e), float(n)) for m, e, n in trend.itertuples(index=False)] == [
        ("2025-12", 1700.0, 0.0), ("2026-01", 1600.0, 100.0), ("2026-02", 1250.0, 300.0), ("2026-03", 1350.0, 600.0)]


def test_cuts_by_class_manager_and_county(wh):
    cuts = wh.query("pages/retention_cuts", wh.period_params(Period.parse("2026-03")))
    by = {(d, k if isinstance(k, str) else None): r for d, k, r in
          zip(cuts.dimension, cuts.key, cuts.itertuples())}
    assert by[("class", "A")].revenue_retention == pytest.approx(1.1)  # 1100 of 1000: more than kept
    assert (by[("class", "B")].snapshot_groups, by[("class", "B")].new_revenue) == (1, 600)
    assert by[("class", "C")].group_retention == 0.0
    assert (by[("manager", "M1")].snapshot_groups, by[("manager", "M1")].manager_name) == (2, "张三")
    assert by[("county", "天河")].revenue_retention == pytest.approx(1.1)
    assert by[("county", "越秀")].revenue_retention == 0.0
    assert (by[("county", None)].snapshot_groups, by[("county", None)].new_revenue) == (1, 600)  # G2, and G4 new


def test_a_snapshot_month_from_the_settings_or_the_page(wh):
    january = wh.settings.with_overrides({"retention.snapshot_month": "2026-01"})
    other = Warehouse(wh.folder, january)
    got = report(other, "2026-03")
    assert got.loc["GZ", ["snapshot_groups", "snapshot_revenue"]].tolist() == [3, 1200]  # G1, G3, G4 at Jan end
    assert got.loc["GZ", "new_revenue"] == 0
    picked = wh.query("reports/retention", wh.period_params(Period.parse("2026-03"))
                      | {"snapshot_month": dt.date(2026, 1, 1)}).set_index("branch_id")
    assert picked.loc["GZ", "snapshot_groups"] == 3


def test_a_regional_head_sees_their_branch_only(wh):
    assert list(report(wh, "2026-03", Scope(branches=("SZ",))).index) == ["SZ"]
