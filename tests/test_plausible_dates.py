"""A visit, order or complaint dated long after the newest bill, or before 2000, is set aside as
`implausible_date`, and the as-of time stays at the real data's latest time.

Hand-made folder (conftest base_folder: groups G1, G2; managers M1, M2) with bills for 2026-05 and
2026-06. The newest bill month ends 2026-06-30, so with quality.future_days = 92 the first moment
too late is 2026-06-30 + 1 day + 92 days = 2026-10-01 00:00.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from conftest import write_text
from kam.figures.query import Warehouse
from kam.figures.settings import load_settings
from kam.storage.plausible_dates import DEFAULT_FUTURE_DAYS
from kam.storage.warehouse import current_warehouse, refresh

BILL_HEADER = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]
VISIT_HEADER = ["visit_id", "manager_id", "group_id", "visit_date", "kind"]
COMPLAINT_HEADER = ["ticket_id", "group_id", "subscriber_id", "category", "severity", "channel", "created_at",
                    "first_response_at", "resolved_at", "followup_at", "satisfaction"]


def rows(folder, sql: str):
    con = duckdb.connect(str(current_warehouse(folder)), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def set_aside(folder, dataset: str):
    return rows(folder, f"select line, \"column\", reason, value from set_aside_rows "
                        f"where dataset = '{dataset}' order by line")


@pytest.fixture
def folder(base_folder):
    write_text(base_folder / "billing_202605.csv", BILL_HEADER, [["202605", "G1", "", "line", "10"]])
    write_text(base_folder / "billing_202606.csv", BILL_HEADER, [["202606", "G1", "", "line", "10"]])
    return base_folder


def test_one_visit_dated_2099_is_set_aside_and_the_as_of_time_stays(folder):
    write_text(folder / "visits.csv", VISIT_HEADER, [["V1", "M1", "G1", "2026-06-20", "visit"],
                                                     ["V2", "M1", "G1", "2099-06-01", "visit"],
                                                     ["V3", "M2", "G2", "2026-06-25", "visit"]])
    report = refresh(folder)
    assert set_aside(folder, "visits") == [(3, "visit_date", "implausible_date", "2099-06-01")]
    assert rows(folder, "select visit_id from visits order by visit_id") == [("V1",), ("V3",)]
    assert Warehouse(folder).as_of() == dt.datetime(2026, 6, 25)  # V3, the real data's latest
    visits = next(d for d in report.datasets if d["dataset"] == "visits")
    assert (visits["rows_read"], visits["loaded"], visits["set_aside"]) == (3, 2, 1)  # counts still add up


def test_the_window_ends_future_days_after_the_newest_bill_month_and_starts_in_2000(folder):
    write_text(folder / "visits.csv", VISIT_HEADER, [["V1", "M1", "G1", "2026-09-30", "visit"],   # last plausible day
                                                     ["V2", "M1", "G1", "2026-10-01", "visit"],   # first too late
                                                     ["V3", "M1", "G1", "1999-12-31", "visit"],   # before 2000
                                                     ["V4", "M1", "G1", "2000-01-01", "visit"]])  # the first plausible
    refresh(folder)
    assert [(line, reason) for line, _, reason, _ in set_aside(folder, "visits")] == \
        [(3, "implausible_date"), (4, "implausible_date")]
    assert Warehouse(folder).as_of() == dt.datetime(2026, 9, 30)


def test_a_complaint_with_one_implausible_time_is_set_aside_naming_that_column(folder):
    write_text(folder / "complaints.csv", COMPLAINT_HEADER, [
        ["T1", "G1", "", "network", "2", "hotline", "2026-06-10 09:00", "2026-06-10 10:00", "2026-06-11 09:00", "", ""],
        ["T2", "G1", "", "network", "2", "hotline", "2026-06-12 09:00", "2026-06-12 10:00", "2099-06-12 09:00", "", ""]])
    refresh(folder)
    assert set_aside(folder, "complaints") == [(3, "resolved_at", "implausible_date", "2099-06-12 09:00:00")]
    assert Warehouse(folder).as_of() == dt.datetime(2026, 6, 11, 9)


def test_the_window_follows_the_bills_without_parsing_the_visits_again(folder):
    write_text(folder / "visits.csv", VISIT_HEADER, [["V1", "M1", "G1", "2026-06-20", "visit"],
                                                     ["V2", "M1", "G1", "2026-11-15", "visit"]])
    refresh(folder)
    assert [r[2] for r in set_aside(folder, "visits")] == ["implausible_date"]
    write_text(folder / "billing_202609.csv", BILL_HEADER, [["202609", "G1", "", "line", "10"]])
    report = refresh(folder)  # bills up to 2026-09: 2026-11-15 is within 92 days of 2026-09-30
    assert {f.file: f.status for f in report.files}["visits.csv"] == "unchanged"
    assert set_aside(folder, "visits") == []
    assert Warehouse(folder).as_of() == dt.datetime(2026, 11, 15)


def test_the_setting_narrows_the_window(folder):
    write_text(folder / "visits.csv", VISIT_HEADER, [["V1", "M1", "G1", "2026-07-10", "visit"],
                                                     ["V2", "M1", "G1", "2026-07-11", "visit"]])
    refresh(folder, future_days=10)  # 2026-07-01 + 10 days: 2026-07-11 00:00 is too late
    assert [r[0] for r in set_aside(folder, "visits")] == [3]


def test_kam_ingest_reads_the_window_from_the_settings(folder, tmp_path, capsys):
    from kam.cli import main
    settings = load_settings().with_overrides({"quality.future_days": 10})
    path = settings.save(tmp_path / "settings.toml")
    write_text(folder / "visits.csv", VISIT_HEADER, [["V1", "M1", "G1", "2026-07-11", "visit"]])
    assert main(["ingest", str(folder), "--quiet", "--settings", str(path)]) == 0
    assert "implausible_date" in capsys.readouterr().out
    assert main(["ingest", str(folder), "--quiet"]) == 0  # the default 92 days: it stands
    assert set_aside(folder, "visits") == []


def test_the_refreshs_default_window_is_the_settings_default():
    assert load_settings().quality.future_days == DEFAULT_FUTURE_DAYS


def test_one_bill_for_2099_is_set_aside_and_the_calendar_stays(folder):
    write_text(folder / "billing_209906.csv", BILL_HEADER, [["209906", "G2", "", "line", "5"]])
    write_text(folder / "billing_199912.csv", BILL_HEADER, [["199912", "G2", "", "line", "5"]])
    write_text(folder / "visits.csv", VISIT_HEADER, [["V1", "M1", "G1", "2026-06-20", "visit"]])
    refresh(folder)
    assert rows(folder, "select file, \"column\", reason, value from set_aside_rows order by file") == [
        ("billing_199912.csv", "bill_month", "implausible_date", "1999-12"),
        ("billing_209906.csv", "bill_month", "implausible_date", "2099-06")]
    wh = Warehouse(folder)
    assert wh.months() == [dt.date(2026, 6, 1), dt.date(2026, 5, 1)]
    assert str(wh.default_period().label) == "2026-06" and wh.as_of() == dt.datetime(2026, 6, 20)


@pytest.mark.parametrize("rows_by_month,expected", [
    ({dt.date(2026, 5, 1): 9, dt.date(2026, 6, 1): 9, dt.date(2099, 6, 1): 1}, dt.date(2099, 6, 1)),
    # missing months (a gap of up to half a year) are still one run; a year typed wrong is not
    ({dt.date(2026, 1, 1): 9, dt.date(2026, 7, 1): 9}, None),
    ({dt.date(2026, 5, 1): 9, dt.date(2026, 6, 1): 9, dt.date(2027, 6, 1): 1}, dt.date(2027, 6, 1)),
    # a stray old bill before the bulk is history, not a reason to set aside every newer bill
    ({dt.date(2020, 1, 1): 1, dt.date(2026, 5, 1): 9, dt.date(2026, 6, 1): 9}, None),
    # a whole mistyped month of bills, fewer than the real ones
    ({dt.date(2026, 6, 1): 50, dt.date(2062, 6, 1): 40}, dt.date(2062, 6, 1)),
])
def test_the_bulk_of_the_bill_months_decides_which_months_are_too_late(rows_by_month, expected):
    from kam.storage.plausible_dates import first_implausible_month
    assert first_implausible_month(rows_by_month) == expected
