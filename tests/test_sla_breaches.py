"""Breach decisions of the red channel on hand-made tickets, every figure worked out by hand.

metrics.md "Red channel": a clock breaches when its elapsed time EXCEEDS the target (exactly at it
is within); a clock that has not stopped runs until the as-of time; follow-up counts from the
resolution, 72 h, only for resolved tickets.
"""
from __future__ import annotations

import pandas as pd
import pytest

from kam.figures.query import Scope
from sla_fixture import at, complaints_folder, page_table, per_ticket, ticket, warehouse


# ---------------------------------------------------------------- response exactly at the target

@pytest.fixture
def response_folder(base_folder):
    return complaints_folder(base_folder, [
        # G1 is class A, severity 2: respond within 2 h.
        # R1: 09:00 → 11:00 = 2 h exactly: NOT breached.
        ticket("R1", "G1", 2, "2026-06-01 09:00", "2026-06-01 11:00", "2026-06-01 12:00", "2026-06-01 13:00",
               satisfaction="5"),
        # R2: 09:00 → 11:01 = 2 h 1 min: breached.
        ticket("R2", "G1", 2, "2026-06-02 09:00", "2026-06-02 11:01", "2026-06-02 12:00", "2026-06-02 13:00",
               satisfaction="4"),
    ])


def test_a_response_exactly_at_the_target_is_within_it_and_one_minute_later_breaches(response_folder):
    wh = warehouse(response_folder)
    t = per_ticket(wh)
    assert t.loc["R1", "response_h"] == pytest.approx(2.0)
    assert not t.loc["R1", "response_breached"]
    assert t.loc["R2", "response_h"] == pytest.approx(2 + 1 / 60)
    assert t.loc["R2", "response_breached"]
    # resolved within 24 h and followed up within 72 h: nothing else breached
    assert not t.resolve_breached.any() and not t.followup_breached.any()


def test_the_sla_report_counts_the_breach_in_its_class_and_severity(response_folder):
    from kam.figures.period import Period
    from kam.figures.reports import run_report
    wh = warehouse(response_folder)
    report = run_report(wh, "sla", Period.parse("2026-06")).set_index(["class", "severity"])
    # all nine cells of the target table, zeros where there is no ticket
    assert len(report) == 9 and report.tickets.sum() == 2
    cell = report.loc[("A", 2)]
    assert (cell.tickets, cell.response_breaches, cell.resolve_breaches, cell.followup_breaches, cell.open) == \
        (2, 1, 0, 0, 0)
    assert cell.sla_response_compliance == pytest.approx(0.5)  # 1 of 2 not breached
    assert cell.sla_resolve_compliance == pytest.approx(1.0)
    assert cell.response_target_h == 2 and cell.resolve_target_h == 24 and cell.followup_target_h == 72
    # median of 2 h and 2 h 1 min = 2 h 30 s = 2.0083 h; p90 = 2 + 0.9 × 1/60 h = 2.015 h
    assert cell.response_median_h == pytest.approx(2 + 0.5 / 60)
    assert cell.response_p90_h == pytest.approx(2 + 0.9 / 60)
    # a cell without tickets has no compliance (not 100 %)
    assert pd.isna(report.loc[("B", 1)].sla_response_compliance)


# ---------------------------------------------------------------- no response yet: the as-of time decides

@pytest.fixture
def unanswered_folder(base_folder):
    # G2 is class B, severity 1: respond within 2 h, resolve within 8 h. Created 10:00, never answered.
    return complaints_folder(base_folder, [ticket("U1", "G2", 1, "2026-06-10 10:00")])


@pytest.mark.parametrize("as_of,elapsed_h,breached", [
    ("2026-06-10 11:59", 1 + 59 / 60, False),   # 1 h 59 min ≤ 2 h
    ("2026-06-10 12:00", 2.0, False),           # exactly the target
    ("2026-06-10 12:01", 2 + 1 / 60, True),     # one minute past it
])
def test_an_unanswered_ticket_breaches_once_the_as_of_time_passes_the_target(unanswered_folder, as_of,
                                                                              elapsed_h, breached):
    t = per_ticket(warehouse(unanswered_folder, as_of=as_of)).loc["U1"]
    assert t.response_h == pytest.approx(elapsed_h)
    assert t.response_breached == breached
    assert t.is_open and not t.resolve_breached  # 2 h of 8 h to resolve
    assert pd.isna(t.followup_h) and not t.followup_breached  # not resolved: no follow-up clock
    from kam.figures.period import Period
    from kam.figures.reports import run_report
    cell = run_report(warehouse(unanswered_folder, as_of=as_of), "sla", Period.parse("2026-06")) \
        .set_index(["class", "severity"]).loc[("B", 1)]
    assert (cell.tickets, cell.response_breaches, cell.open, cell.resolved_tickets) == (1, int(breached), 1, 0)
    assert cell.sla_response_compliance == (0 if breached else 1)
    # follow-up compliance is over resolved tickets: none yet, so no figure (not 100 %)
    assert pd.isna(cell.sla_followup_compliance)


def test_without_an_override_the_as_of_time_is_the_latest_time_in_the_data(base_folder):
    # U1 as above; U2 created 2026-06-10 13:30 is the latest time in the exports: as-of = 13:30,
    # so U1 has waited 3.5 h > 2 h (breached) and U2 0 h.
    folder = complaints_folder(base_folder, [ticket("U1", "G2", 1, "2026-06-10 10:00"),
                                             ticket("U2", "G2", 1, "2026-06-10 13:30")])
    wh = warehouse(folder)
    assert wh.as_of() == at("2026-06-10 13:30")
    t = per_ticket(wh)
    assert t.loc["U1", "response_h"] == pytest.approx(3.5) and t.loc["U1", "response_breached"]
    assert t.loc["U2", "response_h"] == 0 and not t.loc["U2", "response_breached"]


def test_an_as_of_override_ignores_what_happened_after_it(base_folder):
    # V1: G1 (A, sev 1: respond 1 h, resolve 4 h), created 08:00, answered 08:30, resolved 14:00.
    # At 10:00 the resolution has not happened yet: open, 2 h of 4 h elapsed; the response (08:30)
    # has. At 12:30 the resolution clock shows 4.5 h > 4 h: breached although the ticket will be
    # resolved later. Tickets created after the as-of time do not exist yet (V2).
    folder = complaints_folder(base_folder, [
        ticket("V1", "G1", 1, "2026-06-03 08:00", "2026-06-03 08:30", "2026-06-03 14:00"),
        ticket("V2", "G1", 1, "2026-06-03 13:00")])
    early = per_ticket(warehouse(folder, as_of="2026-06-03 10:00"))
    assert list(early.index) == ["V1"]
    v1 = early.loc["V1"]
    assert v1.is_open and pd.isna(v1.resolved_at) and v1.resolve_h == pytest.approx(2.0)
    assert v1.response_h == pytest.approx(0.5) and not v1.response_breached
    late = per_ticket(warehouse(folder, as_of="2026-06-03 12:30")).loc["V1"]
    assert late.is_open and late.resolve_h == pytest.approx(4.5) and late.resolve_breached


# ---------------------------------------------------------------- follow-up: 72 h after the resolution

@pytest.fixture
def followup_folder(base_folder):
    # F1: G2 (B, sev 3: respond 8 h, resolve 72 h), created 06-05 10:00, answered 11:00, resolved
    # 06-06 10:00, never followed up. Follow-up due 72 h later: 2026-06-09 10:00.
    return complaints_folder(base_folder, [
        ticket("F1", "G2", 3, "2026-06-05 10:00", "2026-06-05 11:00", "2026-06-06 10:00")])


@pytest.mark.parametrize("as_of,elapsed_h,breached", [
    ("2026-06-09 10:00", 72.0, False),          # exactly 72 h after the resolution
    ("2026-06-09 10:01", 72 + 1 / 60, True),    # one minute more
])
def test_a_resolved_ticket_without_follow_up_breaches_after_72_hours(followup_folder, as_of, elapsed_h, breached):
    wh = warehouse(followup_folder, as_of=as_of)
    t = per_ticket(wh).loc["F1"]
    assert t.followup_h == pytest.approx(elapsed_h)
    assert t.followup_breached == breached
    assert t.followup_due_at == at("2026-06-09 10:00")
    assert not t.is_open and not t.response_breached and not t.resolve_breached  # 1 h ≤ 8 h, 24 h ≤ 72 h
    breaches = page_table(wh, "sla_breaches", only_pending=True)
    assert list(breaches.ticket_id) == (["F1"] if breached else [])
    if breached:
        row = breaches.iloc[0]
        assert row.sla_stage == "followup" and row.sla_clock_running
        assert row.sla_late_h == pytest.approx(1 / 60)  # one minute late


def test_a_follow_up_made_in_time_stops_the_clock(base_folder):
    # F2 as F1 but followed up 06-08 10:00 (48 h): not breached at any later as-of time.
    folder = complaints_folder(base_folder, [
        ticket("F2", "G2", 3, "2026-06-05 10:00", "2026-06-05 11:00", "2026-06-06 10:00", "2026-06-08 10:00")])
    t = per_ticket(warehouse(folder, as_of="2026-06-30 00:00")).loc["F2"]
    assert t.followup_h == pytest.approx(48.0) and not t.followup_breached


# ---------------------------------------------------------------- at risk: past 75 % of a target, not breached

@pytest.mark.parametrize("as_of,at_risk", [
    ("2026-06-08 15:59", False),  # 53 h 59 min of 72 h: 74.98 %
    ("2026-06-08 16:00", True),   # 54 h = 75 % exactly
    ("2026-06-09 10:00", True),   # 72 h: at the target, not yet breached
    ("2026-06-09 10:01", False),  # breached: no longer "at risk" but late
])
def test_a_running_clock_is_at_risk_from_75_percent_of_its_target_until_it_breaches(followup_folder, as_of,
                                                                                   at_risk):
    wh = warehouse(followup_folder, as_of=as_of)
    rows = page_table(wh, "sla_at_risk")
    assert list(rows.ticket_id) == (["F1"] if at_risk else [])
    if at_risk:
        row = rows.iloc[0]
        assert row.sla_stage == "followup" and row.sla_due_at == at("2026-06-09 10:00")
        assert row.sla_target_h == 72 and row.branch_id == "SZ" and row.manager_id == "M2"


def test_the_at_risk_list_puts_the_soonest_breach_first(base_folder):
    # as-of 2026-06-10 12:00. A1: G1 (A, sev 1, respond 1 h) created 11:10, unanswered: due 12:10,
    # 50 min of 60 used (83 %). A2: G2 (B, sev 1, respond 2 h) created 10:20: due 12:20, 100 of 120
    # min used (83 %). A3: G2 (B, sev 2, respond 4 h) created 09:00: due 13:00, 75 %.
    # A4: G1 (A, sev 3, respond 4 h) created 11:00: 25 %, not at risk.
    folder = complaints_folder(base_folder, [
        ticket("A3", "G2", 2, "2026-06-10 09:00"), ticket("A2", "G2", 1, "2026-06-10 10:20"),
        ticket("A1", "G1", 1, "2026-06-10 11:10"), ticket("A4", "G1", 3, "2026-06-10 11:00")])
    wh = warehouse(folder, as_of="2026-06-10 12:00")
    rows = page_table(wh, "sla_at_risk")
    assert list(rows.ticket_id) == ["A1", "A2", "A3"]
    assert list(rows.sla_due_at) == [at("2026-06-10 12:10"), at("2026-06-10 12:20"), at("2026-06-10 13:00")]
    assert list(rows.sla_remaining_h) == pytest.approx([10 / 60, 20 / 60, 1.0])
    assert list(rows.sla_used_share) == pytest.approx([50 / 60, 100 / 120, 0.75])
    # the viewer's scope applies: a viewer of SZ sees only G2's tickets
    sz = page_table(wh, "sla_at_risk", scope=Scope(branches=("SZ",)))
    assert list(sz.ticket_id) == ["A2", "A3"]
    summary = page_table(wh, "sla_summary").iloc[0]
    assert summary.at_risk_tickets == 3 and summary.backlog == 4


# ---------------------------------------------------------------- backlog ageing

def test_open_tickets_age_against_their_resolution_target(base_folder):
    # as-of 2026-06-20 00:00; G2 is B: sev 1 resolves in 8 h, sev 2 in 48 h, sev 3 in 72 h.
    # B1 sev 1 created 06-19 16:00: 8 h = 1× → within.   B2 sev 1 created 06-19 15:59: 8 h 1 min → 1–2×.
    # B3 sev 2 created 06-18 00:00: 48 h = 1× → within.  B4 sev 3 created 06-14 00:00: 144 h = 2× → 1–2×.
    # B5 sev 3 created 06-13 23:59: 144 h 1 min → over 2×. B6 resolved: not in the backlog.
    folder = complaints_folder(base_folder, [
        ticket("B1", "G2", 1, "2026-06-19 16:00", "2026-06-19 16:10"),
        ticket("B2", "G2", 1, "2026-06-19 15:59", "2026-06-19 16:10"),
        ticket("B3", "G2", 2, "2026-06-18 00:00", "2026-06-18 01:00"),
        ticket("B4", "G2", 3, "2026-06-14 00:00", "2026-06-14 01:00"),
        ticket("B5", "G2", 3, "2026-06-13 23:59", "2026-06-14 01:00"),
        ticket("B6", "G2", 3, "2026-06-13 23:59", "2026-06-14 01:00", "2026-06-14 02:00")])
    wh = warehouse(folder, as_of="2026-06-20 00:00")
    t = per_ticket(wh)
    assert t.backlog_band.drop("B6").to_dict() == {"B1": "within", "B2": "over_1x", "B3": "within",
                                                   "B4": "over_1x", "B5": "over_2x"}
    assert pd.isna(t.loc["B6", "backlog_band"])
    backlog = page_table(wh, "sla_backlog").set_index(["backlog_band", "severity"]).tickets
    assert backlog.sum() == 5
    assert backlog[("within", 1)] == 1 and backlog[("within", 2)] == 1
    assert backlog[("over_1x", 1)] == 1 and backlog[("over_1x", 3)] == 1 and backlog[("over_2x", 3)] == 1
    assert list(backlog.index.get_level_values(0).unique()) == ["within", "over_1x", "over_2x"]


# ---------------------------------------------------------------- compliance and cuts

def test_compliance_counts_the_tickets_created_in_the_period_and_cuts_by_any_dimension(base_folder):
    # June tickets (as-of 2026-07-10 00:00, everything settled):
    #   C1 G1 (A, sev 2: 2 h / 24 h) billing  hotline  response 3 h (breach), resolved 10 h, follow-up 24 h
    #   C2 G1 (A, sev 2)             billing  manager  response 1 h, resolved 30 h (breach), follow-up 100 h (breach)
    #   C3 G2 (B, sev 3: 8 h / 72 h) network  hotline  response 1 h, resolved 5 h, follow-up 2 h
    #   C4 G2 (B, sev 3)             network  store    never answered: at 07-10 00:00 it has waited 35 days
    #                                                      16 h = 856 h > 8 h and > 72 h (two breaches), open
    #   C0 G2 created in May: not in June's figures.
    # June: 4 tickets; response breaches 2 (C1, C4) → 2/4; resolve 2 (C2, C4) → 2/4; follow-up 1 (C2) of
    # the 3 resolved tickets (follow-up is only for resolved tickets) → 2/3.
    folder = complaints_folder(base_folder, [
        ticket("C1", "G1", 2, "2026-06-01 08:00", "2026-06-01 11:00", "2026-06-01 18:00", "2026-06-02 18:00",
               category="billing", channel="hotline"),
        ticket("C2", "G1", 2, "2026-06-02 08:00", "2026-06-02 09:00", "2026-06-03 14:00", "2026-06-07 18:00",
               category="billing", channel="manager"),
        ticket("C3", "G2", 3, "2026-06-03 08:00", "2026-06-03 09:00", "2026-06-03 13:00", "2026-06-03 15:00",
               category="network", channel="hotline"),
        ticket("C4", "G2", 3, "2026-06-04 08:00", category="network", channel="store"),
        ticket("C0", "G2", 3, "2026-05-20 08:00", "2026-05-20 09:00", "2026-05-20 13:00", "2026-05-20 15:00")],
        months=("202605", "202606"))
    wh = warehouse(folder, as_of="2026-07-10 00:00")
    summary = page_table(wh, "sla_summary").iloc[0]
    assert (summary.tickets, summary.resolved_tickets, summary.backlog) == (4, 3, 1)
    assert (summary.response_breaches, summary.resolve_breaches, summary.followup_breaches) == (2, 2, 1)
    assert summary.sla_response_compliance == pytest.approx(0.5)
    assert summary.sla_resolve_compliance == pytest.approx(0.5)
    assert summary.sla_followup_compliance == pytest.approx(2 / 3)

    by_channel = page_table(wh, "sla_cuts", dimension="channel").set_index("cut")
    # hotline: C1 (response breach) + C3 → 1/2 response compliance; manager: C2 → resolve 0/1
    assert by_channel.loc["hotline", "tickets"] == 2
    assert by_channel.loc["hotline", "sla_response_compliance"] == pytest.approx(0.5)
    assert by_channel.loc["manager", "sla_resolve_compliance"] == 0
    by_branch = page_table(wh, "sla_cuts", dimension="branch").set_index("cut")
    assert by_branch.loc["GZ", "tickets"] == 2 and by_branch.loc["GZ", "cut_name"] == "广州"
    # SZ: C3 and C4; C4 is not resolved, so follow-up compliance is C3's alone: 1/1
    assert by_branch.loc["SZ", "tickets"] == 2 and by_branch.loc["SZ", "sla_followup_compliance"] == 1
    assert by_branch.loc["SZ", "sla_resolve_compliance"] == 0.5
    by_manager = page_table(wh, "sla_cuts", dimension="manager").set_index("cut")
    assert by_manager.loc["M1", "cut_name"] == "张三" and by_manager.loc["M1", "sla_followup_compliance"] == 0.5
    by_severity = page_table(wh, "sla_cuts", dimension="severity").set_index("cut")
    assert by_severity.tickets.to_dict() == {"2": 2, "3": 2}

    trend = page_table(wh, "sla_trend").set_index("month_start")
    assert len(trend) == 12  # 2025-07 … 2026-06
    assert trend.tickets.sum() == 5
    assert trend.loc[pd.Timestamp("2026-05-01"), "sla_resolve_compliance"] == 1
    assert trend.loc[pd.Timestamp("2026-06-01"), "sla_resolve_compliance"] == pytest.approx(0.5)
    assert trend.loc[pd.Timestamp("2026-06-01"), "sla_followup_compliance"] == pytest.approx(2 / 3)
    assert pd.isna(trend.loc[pd.Timestamp("2026-01-01"), "sla_resolve_compliance"])

    # the breaches of June's tickets, latest first: C4 response 856 − 8 = 848 h and resolve 856 − 72 =
    # 784 h (both still running), C2 follow-up 100 − 72 = 28 h, C2 resolve 30 − 24 = 6 h, C1 response 3 − 2 = 1 h
    breaches = page_table(wh, "sla_breaches", only_pending=False)
    assert list(zip(breaches.ticket_id, breaches.sla_stage)) == [
        ("C4", "response"), ("C4", "resolve"), ("C2", "followup"), ("C2", "resolve"), ("C1", "response")]
    assert list(breaches.sla_late_h) == pytest.approx([848.0, 784.0, 28.0, 6.0, 1.0])
    assert list(breaches.sla_clock_running) == [True, True, False, False, False]
    # only the clocks still running: C4's two
    running = page_table(wh, "sla_breaches", only_pending=True)
    assert list(zip(running.ticket_id, running.sla_stage)) == [("C4", "response"), ("C4", "resolve")]


def test_a_manager_sees_only_the_tickets_of_the_groups_they_served(base_folder):
    folder = complaints_folder(base_folder, [
        ticket("M1T", "G1", 3, "2026-06-01 08:00", "2026-06-01 09:00", "2026-06-01 10:00", "2026-06-01 11:00"),
        ticket("M2T", "G2", 3, "2026-06-01 08:00", "2026-06-01 09:00", "2026-06-01 10:00", "2026-06-01 11:00")])
    wh = warehouse(folder)
    from kam.figures.period import Period
    from kam.figures.reports import run_report
    mine = run_report(wh, "sla", Period.parse("2026-06"), Scope(branches=("GZ", "SZ"), manager_id="M2"))
    assert mine.tickets.sum() == 1 and mine.set_index(["class", "severity"]).loc[("B", 3), "tickets"] == 1
