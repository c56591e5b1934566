"""The business-hours clock (settings.toml [business_hours]) against the calendar clock, by hand.

With the default settings: working hours 09:00–18:00 (9 h a day), Monday to Friday, minus the 2026
public holidays (端午节 2026-06-19 … 06-21), plus the weekend working days (调休, e.g. Saturday
2026-05-09). Calendar: 2026-06-18 is a Thursday, 06-19 a Friday (holiday), 06-22 a Monday.
"""
from __future__ import annotations

import pytest

from sla_fixture import at, complaints_folder, page_table, per_ticket, ticket, warehouse

AS_OF = "2026-06-30 00:00"


@pytest.fixture
def clock_folder(base_folder):
    return complaints_folder(base_folder, [
        # H1: G1 (A, sev 3: respond 4 h, resolve 48 h). Thursday 16:00, answered on Monday 09:30, resolved
        # on Tuesday 11:00, followed up Tuesday 15:00 — across the Dragon Boat Friday and a weekend.
        ticket("H1", "G1", 3, "2026-06-18 16:00", "2026-06-22 09:30", "2026-06-23 11:00", "2026-06-23 15:00",
               satisfaction="4"),
        # H2: G2 (B, sev 1: respond 2 h). Friday 2026-05-08 17:30, answered Monday 05-11 09:00; the
        # Saturday between (05-09) is a working day (调休).
        ticket("H2", "G2", 1, "2026-05-08 17:30", "2026-05-11 09:00", "2026-05-11 10:00", "2026-05-11 11:00"),
    ], months=("202605", "202606"))


def test_calendar_hours_count_the_weekend_and_the_holiday(clock_folder):
    t = per_ticket(warehouse(clock_folder, as_of=AS_OF)).loc["H1"]
    assert t.clock == "calendar"
    # response: Thu 16:00 → Mon 09:30 = 3 days 17.5 h = 89.5 h > 4 h
    assert t.response_h == pytest.approx(89.5) and t.response_breached
    # resolution: Thu 16:00 → Tue 11:00 = 4 days 19 h = 115 h > 48 h
    assert t.resolve_h == pytest.approx(115) and t.resolve_breached
    assert t.followup_h == pytest.approx(4) and not t.followup_breached
    assert t.response_due_at == at("2026-06-18 20:00") and t.resolve_due_at == at("2026-06-20 16:00")


def test_business_hours_skip_the_weekend_and_the_holiday(clock_folder):
    t = per_ticket(warehouse(clock_folder, as_of=AS_OF, business_hours=True)).loc["H1"]
    assert t.clock == "business"
    # response: Thu 16:00–18:00 (2 h) + Fri holiday + weekend + Mon 09:00–09:30 (0.5 h) = 2.5 h ≤ 4 h
    assert t.response_h == pytest.approx(2.5) and not t.response_breached
    # resolution: Thu 2 h + Mon 9 h + Tue 09:00–11:00 2 h = 13 h ≤ 48 h
    assert t.resolve_h == pytest.approx(13) and not t.resolve_breached
    # follow-up: Tue 11:00–15:00 = 4 h
    assert t.followup_h == pytest.approx(4) and not t.followup_breached
    # response due after 4 working hours: Thu 2 h, then Mon 09:00 + 2 h = Mon 11:00
    assert t.response_due_at == at("2026-06-22 11:00")
    # resolution due after 48: Thu 2, Mon 22 → 11, Tue → 20, Wed → 29, Thu 25 → 38, Fri 26 → 47,
    # Mon 29 09:00 + 1 h
    assert t.resolve_due_at == at("2026-06-29 10:00")


def test_a_weekend_working_day_counts_in_business_hours(clock_folder):
    calendar = per_ticket(warehouse(clock_folder, as_of=AS_OF)).loc["H2"]
    assert calendar.response_h == pytest.approx(63.5) and calendar.response_breached  # Fri 17:30 → Mon 09:00
    business = per_ticket(warehouse(clock_folder, as_of=AS_OF, business_hours=True)).loc["H2"]
    # Fri 17:30–18:00 0.5 h + Sat 05-09 (调休) 9 h + Sunday 0 + Mon before 09:00 0 = 9.5 h > 2 h
    assert business.response_h == pytest.approx(9.5) and business.response_breached
    assert business.response_due_at == at("2026-05-09 10:30")  # 0.5 h on Friday, 1.5 h on Saturday
    # without the 调休 Saturday the wait would be 0.5 h
    no_swap = per_ticket(warehouse(clock_folder, as_of=AS_OF, business_hours=True,
                                   **{"business_hours.extra_workdays": []})).loc["H2"]
    assert no_swap.response_h == pytest.approx(0.5) and not no_swap.response_breached


def test_the_report_follows_the_clock_of_the_settings(clock_folder):
    from kam.figures.period import Period
    from kam.figures.reports import run_report
    period = Period.parse("2026-06")
    calendar = run_report(warehouse(clock_folder, as_of=AS_OF), "sla", period).set_index(["class", "severity"])
    business = run_report(warehouse(clock_folder, as_of=AS_OF, business_hours=True), "sla", period) \
        .set_index(["class", "severity"])
    assert (calendar.loc[("A", 3), "response_breaches"], calendar.loc[("A", 3), "resolve_breaches"]) == (1, 1)
    assert (business.loc[("A", 3), "response_breaches"], business.loc[("A", 3), "resolve_breaches"]) == (0, 0)
    assert business.loc[("A", 3), "resolve_median_h"] == pytest.approx(13)


@pytest.fixture
def open_on_friday(base_folder):
    # W1: G2 (B, sev 2: respond 4 h), created Friday 2026-06-12 15:00, not answered.
    return complaints_folder(base_folder, [ticket("W1", "G2", 2, "2026-06-12 15:00")])


def test_a_business_hours_clock_stands_still_over_the_weekend(open_on_friday):
    # as-of Sunday 20:00. Calendar: 53 h > 4 h, breached. Business: Fri 15:00–18:00 = 3 h = 75 % of
    # 4 h → at risk, due Monday 09:00 + 1 h.
    sunday = "2026-06-14 20:00"
    calendar = per_ticket(warehouse(open_on_friday, as_of=sunday)).loc["W1"]
    assert calendar.response_h == pytest.approx(53) and calendar.response_breached
    wh = warehouse(open_on_friday, as_of=sunday, business_hours=True)
    business = per_ticket(wh).loc["W1"]
    assert business.response_h == pytest.approx(3) and not business.response_breached
    rows = page_table(wh, "sla_at_risk")
    assert list(zip(rows.ticket_id, rows.sla_stage)) == [("W1", "response")]
    assert rows.sla_due_at.iloc[0] == at("2026-06-15 10:00")
    assert rows.sla_remaining_h.iloc[0] == pytest.approx(1)


def test_the_working_hours_are_a_setting(open_on_friday):
    # 08:30–17:30: Friday 15:00–17:30 = 2.5 h of 4 (62.5 %, not yet at risk); due Monday 08:30 + 1.5 h
    wh = warehouse(open_on_friday, as_of="2026-06-14 20:00", business_hours=True,
                   **{"business_hours.start": "08:30", "business_hours.end": "17:30"})
    t = per_ticket(wh).loc["W1"]
    assert t.response_h == pytest.approx(2.5) and not t.response_at_risk
    assert t.response_due_at == at("2026-06-15 10:00")
