"""Why customers complain: repeat complaints, the category Pareto and satisfaction after follow-up."""
from __future__ import annotations

import pandas as pd
import pytest

from sla_fixture import at, complaints_folder, page_table, per_ticket, ticket, warehouse


@pytest.fixture
def repeat_folder(base_folder):
    return complaints_folder(base_folder, [
        # G1: P2 comes 29 days after P1 (a repeat); P3 exactly 30 days after P2 (within 30 days: a repeat).
        ticket("P1", "G1", 3, "2026-05-01 10:00", category="billing"),
        ticket("P2", "G1", 3, "2026-05-30 10:00", category="billing"),
        ticket("P3", "G1", 3, "2026-06-29 10:00", category="network"),
        # G2: Q2 comes 31 days after Q1 (not a repeat); Q3 30 days and 1 minute after Q2 (not one).
        ticket("Q1", "G2", 3, "2026-05-01 10:00", category="billing"),
        ticket("Q2", "G2", 3, "2026-06-01 10:00", category="billing"),
        ticket("Q3", "G2", 3, "2026-07-01 10:01", category="billing"),
    ], months=("202605", "202606", "202607"))


def test_a_complaint_within_30_days_of_the_same_groups_previous_one_is_a_repeat(repeat_folder):
    t = per_ticket(warehouse(repeat_folder, as_of="2026-07-02 00:00"))
    assert t.is_repeat.to_dict() == {"P1": False, "P2": True, "P3": True, "Q1": False, "Q2": False, "Q3": False}
    assert t.loc["P2", "previous_created_at"] == at("2026-05-01 10:00")
    assert pd.isna(t.loc["Q1", "previous_created_at"])


def test_the_repeat_list_and_rate_of_a_period(repeat_folder):
    wh = warehouse(repeat_folder, as_of="2026-07-02 00:00")
    june = page_table(wh, "sla_repeats", "2026-06")
    assert list(june.ticket_id) == ["P3"]
    assert june.repeat_gap_days.iloc[0] == pytest.approx(30)
    assert june.group_name.iloc[0] == "甲集团"
    may = page_table(wh, "sla_repeats", "2026-05")
    assert list(may.ticket_id) == ["P2"] and may.repeat_gap_days.iloc[0] == pytest.approx(29)
    # June: P3 and Q2 created, one repeat → 50 %
    summary = page_table(wh, "sla_summary", "2026-06").iloc[0]
    assert summary.repeat_tickets == 1 and summary.sla_repeat_share == pytest.approx(0.5)
    # the repeat window is a setting: with 28 days, P2 (29 days) is no longer a repeat
    narrow = per_ticket(warehouse(repeat_folder, as_of="2026-07-02 00:00", **{"sla.repeat_days": 28}))
    assert not narrow.loc["P2", "is_repeat"]


@pytest.fixture
def followed_up_folder(base_folder):
    # June, as-of 2026-07-31 00:00 (every follow-up clock settled).
    #   S1 G1 (A, sev 2: 2 h / 24 h) billing   all in time, followed up, satisfaction 5
    #   S2 G1                        billing   answered after 3 h (response breach), followed up, 2
    #   S3 G2 (B, sev 3: 8 h / 72 h) billing   in time, followed up, 4
    #   S4 G2                        network   in time, followed up, no answer to the question
    #   S5 G2                        network   resolved, never followed up (follow-up breach), no answer
    #   S6 G2                        attitude  resolved, never followed up, a satisfaction of 1 recorded anyway
    return complaints_folder(base_folder, [
        ticket("S1", "G1", 2, "2026-06-01 09:00", "2026-06-01 10:00", "2026-06-01 12:00", "2026-06-02 12:00",
               category="billing", satisfaction="5"),
        ticket("S2", "G1", 2, "2026-06-03 09:00", "2026-06-03 12:00", "2026-06-03 14:00", "2026-06-04 14:00",
               category="billing", satisfaction="2"),
        ticket("S3", "G2", 3, "2026-06-05 09:00", "2026-06-05 10:00", "2026-06-05 12:00", "2026-06-06 12:00",
               category="billing", satisfaction="4"),
        ticket("S4", "G2", 3, "2026-06-07 09:00", "2026-06-07 10:00", "2026-06-07 12:00", "2026-06-08 12:00",
               category="network"),
        ticket("S5", "G2", 3, "2026-06-09 09:00", "2026-06-09 10:00", "2026-06-09 12:00", category="network"),
        ticket("S6", "G2", 3, "2026-06-11 09:00", "2026-06-11 10:00", "2026-06-11 12:00", category="attitude",
               satisfaction="1"),
    ], months=("202606",))


def test_satisfaction_is_counted_over_the_tickets_followed_up_against_whether_they_breached(followed_up_folder):
    wh = warehouse(followed_up_folder, as_of="2026-07-31 00:00")
    summary = page_table(wh, "sla_summary").iloc[0]
    # followed up: S1–S4; answers 5, 2, 4 → mean 11 / 3, share ≥ 4 = 2 of 3 answers
    assert summary.sla_followed_up == 4
    assert summary.sla_satisfaction_mean == pytest.approx(11 / 3)
    assert summary.sla_satisfied_share == pytest.approx(2 / 3)
    sat = page_table(wh, "sla_satisfaction").set_index(["sla_stage", "sla_breached"])
    # any breach: S2 (response) → 1 followed up, answer 2, share 0; no breach: S1, S3, S4 → answers 5, 4
    assert tuple(sat.loc[("any", True), ["sla_followed_up", "sla_answers"]]) == (1, 1)
    assert sat.loc[("any", True), "sla_satisfaction_mean"] == 2
    assert sat.loc[("any", True), "sla_satisfied_share"] == 0
    assert tuple(sat.loc[("any", False), ["sla_followed_up", "sla_answers"]]) == (3, 2)
    assert sat.loc[("any", False), "sla_satisfaction_mean"] == pytest.approx(4.5)
    assert sat.loc[("any", False), "sla_satisfied_share"] == 1
    # S5 and S6 breached their follow-up but were never followed up: not in the satisfaction rows
    assert ("followup", True) not in sat.index
    assert sat.loc[("resolve", False), "sla_followed_up"] == 4
    assert list(sat.index.get_level_values(0).unique()) == ["response", "resolve", "followup", "any"]


def test_the_category_pareto_ranks_categories_by_tickets(followed_up_folder):
    wh = warehouse(followed_up_folder, as_of="2026-07-31 00:00")
    pareto = page_table(wh, "sla_categories")
    # billing 3 of 6, network 2, attitude 1
    assert list(pareto.category) == ["billing", "network", "attitude"]
    assert list(pareto.tickets) == [3, 2, 1]
    assert list(pareto.ticket_share) == pytest.approx([1 / 2, 1 / 3, 1 / 6])
    assert list(pareto.ticket_cum_share) == pytest.approx([1 / 2, 5 / 6, 1])
    # breached: billing S2; network S5 (follow-up); attitude S6 (follow-up)
    assert list(pareto.breached_tickets) == [1, 1, 1]
