"""The sample's issue-14 story (kam/tooling/sample/plan.py), read back through the reports: every branch has
targets for every quarter, some met and some missed, one far ahead, some behind 序时进度 at the data's end;
contracts end soon with no renewal while others were renewed; arrears sit in every aging bucket; two
branches export counties; the new products are billed and grow."""
from __future__ import annotations

import collections

import pytest

from kam.figures.period import Period
from kam.figures.query import Warehouse
from kam.figures.reports import run_report
from kam.figures.settings import load_settings

BRANCHES = 12


@pytest.fixture(scope="module")
def wh(sample_folder) -> Warehouse:
    return Warehouse(sample_folder, load_settings())


def revenue_targets(wh, period: str):
    got = run_report(wh, "targets", Period.parse(period))
    return got[(got.kpi == "revenue") & got.branch_id.notna()].set_index("branch_id")


def test_every_branch_has_targets_for_every_quarter_and_month(wh):
    for period in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4",
                   "2026-10", "2025-11"):
        assert len(revenue_targets(wh, period)) == BRANCHES, period


def test_some_branches_met_the_quarter_some_missed_and_one_is_far_ahead(wh):
    q3 = revenue_targets(wh, "2026-Q3")
    assert q3.on_target.sum() >= 3 and (~q3.on_target.astype(bool)).sum() >= 3
    assert q3.attainment.max() >= 1.3  # 佛山
    assert q3.attainment.idxmax() == "FS"


def test_at_the_data_end_some_branches_are_behind_time_progress(wh):
    q4 = revenue_targets(wh, "2026-Q4")
    assert set(q4.time_progress.round(6)) == {round(31 / 92, 6)}  # 31 October
    behind = set(q4.index[q4.ahead_of_time.eq(False)])
    assert {"SZ", "ZJ", "ST"} <= behind and "FS" not in behind
    assert 3 <= len(behind) <= 8


def test_a_contract_expires_within_90_days_and_renewed_ones_are_not_warned(wh, sample_folder):
    import duckdb
    from kam.storage.warehouse import current_warehouse
    warnings = run_report(wh, "warnings", Period.parse("2026-10"))
    expiring = warnings[warnings.kind == "contract_expiry"]
    assert len(expiring) >= 10 and expiring.value.between(0, 90).all()
    con = duckdb.connect(str(current_warehouse(sample_folder)), read_only=True)
    renewed = {r[0] for r in con.execute("select renewed_from from contracts where renewed_from is not null").fetchall()}
    soon_renewed = con.execute("""select count(*) from contracts c where c.contract_id in
        (select renewed_from from contracts) and c.end_date between date '2026-10-31' and date '2026-10-31' + 90""").fetchall()
    con.close()
    assert len(renewed) >= 100 and soon_renewed[0][0] >= 3  # renewed early: no warning for them
    assert not set(expiring.detail) & renewed


def test_arrears_in_every_bucket_and_revenue_slides_and_high_value_leavers(wh):
    warnings = run_report(wh, "warnings", Period.parse("2026-10"))
    kinds = collections.Counter(warnings.kind)
    assert set(warnings[warnings.kind == "arrears"].detail) == {"<=1", "2-3", "4-6", ">6"}
    assert kinds["revenue_slide"] >= 3 and kinds["high_value_churn"] >= 10


def test_two_branches_export_counties(wh):
    branches = wh.query("meta/counties").groupby("branch_id").county.nunique().to_dict()
    assert branches == {"GZ": 5, "SZ": 5}


def test_the_new_products_are_billed_and_grow(wh):
    fees = wh._con.cursor().execute("""
        select fee_item, sum(revenue) filter (where month_start = date '2025-10-01'),
               sum(revenue) filter (where month_start = date '2026-10-01')
        from group_fee_months where fee_item in ('cloud', 'iot', '5g_private', 'idc') group by fee_item""").fetchall()
    assert {f for f, *_ in fees} == {"cloud", "iot", "5g_private", "idc"}
    for item, year_before, now in fees:
        assert float(now) > 1.3 * float(year_before), item


def test_the_retention_page_has_a_base_at_the_default_snapshot(wh):
    got = run_report(wh, "retention", Period.parse("2026-10"))
    assert len(got) == BRANCHES and (got.snapshot_groups > 100).all()
    assert got.group_retention.between(0.9, 1).all() and (got.new_revenue > 0).all()
