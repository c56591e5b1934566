"""Early warnings at every boundary, against tests/warnings_fixture.py (values worked out there)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kam.figures.period import Period
from kam.figures.query import Scope, Warehouse
from kam.figures.reports import run_report
from kam.figures.settings import load_settings
from kam.storage.warehouse import refresh
from warnings_fixture import AS_OF, EXPECTED, write_exports

REPO = Path(__file__).resolve().parent.parent
JUNE = Period.parse("2026-06")


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Warehouse:
    folder = tmp_path_factory.mktemp("warnings") / "exports"
    folder.mkdir()
    refresh(write_exports(folder))
    return Warehouse(folder, load_settings(REPO / "settings.toml").with_overrides({"time.as_of": AS_OF}))


def listed(frame: pd.DataFrame) -> list[tuple]:
    return [(r.kind, r.group_id, r.detail, None if pd.isna(r.amount) else float(r.amount),
             None if pd.isna(r.value) else round(float(r.value), 6)) for r in frame.itertuples()]


def test_every_warning_in_order_of_money_at_stake(wh):
    assert listed(run_report(wh, "warnings", JUNE)) == EXPECTED


def test_a_slide_of_exactly_20_percent_is_warned_and_19_9_is_not(wh):
    slides = run_report(wh, "warnings", JUNE).query("kind == 'revenue_slide'")
    assert sorted(slides.group_id) == ["G1", "G4"]  # not G2 (19.9 %), G3 (rose in May), G5 (closed)


def test_a_contract_ending_on_day_90_is_warned_day_91_and_a_renewed_one_not(wh):
    expiring = run_report(wh, "warnings", JUNE).query("kind == 'contract_expiry'")
    assert dict(zip(expiring.detail, expiring.value)) == {"K1": 90.0, "K5": 0.0}
    assert expiring.event_date.astype(str).tolist() == ["2026-09-28", "2026-06-30"]


def test_arrears_buckets_at_each_edge_and_a_bill_paid_in_full_is_none(wh):
    arrears = run_report(wh, "warnings", JUNE).query("kind == 'arrears'")
    assert sorted(zip(arrears.group_id, arrears.detail, arrears.value)) == [
        ("G1", "<=1", 1.0), ("G2", "2-3", 3.0), ("G3", "4-6", 6.0), ("G3", "<=1", 0.0), ("G4", ">6", 7.0)]
    # G1's June bill (100 paid 100) is in none: G1's only bucket holds May's 200
    assert float(arrears.query("group_id == 'G1'").amount.iloc[0]) == 200.0


def test_high_value_leavers_of_the_period_only_with_their_manager_then(wh):
    churn = run_report(wh, "warnings", JUNE).query("kind == 'high_value_churn'")
    assert list(zip(churn.group_id, churn.manager_id, churn.detail, churn.event_date.astype(str))) == [
        ("G4", "M2", "gold", "2026-06-30"), ("G1", "M1", "diamond", "2026-06-10")]
    assert "subscriber_id" not in churn.columns  # no phone number leaves in a report


def test_thresholds_come_from_the_settings(wh):
    looser = Warehouse(wh.folder, wh.settings.with_overrides({
        "warnings.revenue_slide": 0.199, "warnings.expiry_days": 91, "warnings.aging_months": [2, 3, 6],
        "warnings.high_value_tiers": ["silver"]}))
    got = run_report(looser, "warnings", JUNE)
    assert sorted(got.query("kind == 'revenue_slide'").group_id) == ["G1", "G2", "G4"]
    assert sorted(got.query("kind == 'contract_expiry'").detail) == ["K1", "K2", "K5"]
    assert ("G2", "<=2") in set(zip(got.group_id, got.detail))  # 2 months is now the first bucket
    assert list(got.query("kind == 'high_value_churn'").detail) == ["silver"]


def test_a_regional_head_sees_their_branch_and_a_manager_their_own(wh):
    gz = run_report(wh, "warnings", JUNE, Scope(branches=("GZ",)))
    assert set(gz.branch_id) == {"GZ"} and len(gz) == len(EXPECTED) - 3  # G4's three warnings are SZ's
    m2 = run_report(wh, "warnings", JUNE, Scope(branches=("SZ",), manager_id="M2"))
    assert listed(m2) == [e for e in EXPECTED if e[1] == "G4"]
    m3 = run_report(wh, "warnings", JUNE, Scope(branches=("GZ",), manager_id="M3"))
    assert set(m3.group_id) == {"G3"}


def test_the_page_list_masks_nothing_itself_but_carries_the_members_number(wh):
    page = wh.query("pages/warnings_list", wh.period_params(JUNE))
    assert page.query("kind == 'high_value_churn'").subscriber_id.tolist() == ["13900000004", "13800000001"]
    assert set(page.profile) == {f"/group_profile?group={g}" for g in ("G1", "G2", "G3", "G4")}


def test_renewal_and_collection_rates(wh):
    june = wh.query("pages/warnings_rates", wh.period_params(JUNE)).iloc[0]
    # ending in June: K5 (30th) and K6 (29th), K6 renewed by K7; June bills: G1 100 of 100, G3 0 of 10
    assert (june.contracts_ending, june.contracts_renewed, june.renewal_rate) == (2, 1, 0.5)
    assert (float(june.amount_due), float(june.amount_paid)) == (110.0, 100.0)
    assert june.collection_rate == pytest.approx(100 / 110)
