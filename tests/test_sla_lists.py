"""The SLA page's lists agree with its cards, on hand-made tickets (issue 13, point 5).

metrics.md "Red channel": compliance counts the tickets created in the period; the backlog is the
tickets open at the as-of time whenever created. So:
- the breach list holds exactly the breaches the compliance figures count (the period's tickets), and
  "only those not done yet" is a part of it, never a list of its own;
- a follow-up missed long ago is a breach of its own month's ticket, aged in days, not a task of
  every later month;
- the open-ticket list holds exactly the tickets the backlog card counts.

As-of 2026-07-10 00:00. G1 is class A (sev 1: respond 1 h, resolve 4 h; sev 2: 2 h, 24 h), G2 class B
(sev 2: 4 h, 48 h; sev 3: 8 h, 72 h); follow-up within 72 h of the resolution.
  P1 G2 sev 3, 06-01 08:00, answered 09:00, resolved 06-02 08:00 (24 h), never followed up: due 06-05
     08:00, still running at the as-of time: 34 days 16 h = 832 h late.
  P2 G1 sev 2, 06-03 08:00, answered 11:00 (3 h > 2 h: 1 h late, done), resolved 12:00, followed up
     06-04 12:00 (24 h).
  P3 G1 sev 1, 06-29 00:00, answered 00:30, never resolved: due 06-29 04:00, 264 h elapsed = 260 h
     = 10 days 20 h late; open.
  O1 G2 sev 3, 05-02 00:00, answered 01:00, resolved 05-03 00:00, never followed up: due 05-06 00:00,
     65 days late at the as-of time — May's breach.
  O2 G2 sev 2, 04-30 00:00, answered 01:00, never resolved: due 05-02 00:00, 69 days late; open for
     71 days (1704 h of 48 h) — April's breach, and in today's backlog.
June: 3 tickets; breaches response 1 (P2), resolution 1 (P3), follow-up 1 (P1); not done yet: P1's
follow-up and P3's resolution. Backlog: P3 and O2.
"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kam.figures.settings import load_settings
from kam.i18n import t
from sla_fixture import at, complaints_folder, page_table, ticket, warehouse

AS_OF = "2026-07-10 00:00"
TICKETS = [
    ticket("P1", "G2", 3, "2026-06-01 08:00", "2026-06-01 09:00", "2026-06-02 08:00"),
    ticket("P2", "G1", 2, "2026-06-03 08:00", "2026-06-03 11:00", "2026-06-03 12:00", "2026-06-04 12:00"),
    ticket("P3", "G1", 1, "2026-06-29 00:00", "2026-06-29 00:30"),
    ticket("O1", "G2", 3, "2026-05-02 00:00", "2026-05-02 01:00", "2026-05-03 00:00"),
    ticket("O2", "G2", 2, "2026-04-30 00:00", "2026-04-30 01:00"),
]
MONTHS = ("202604", "202605", "202606")


@pytest.fixture
def lists_folder(base_folder):
    return complaints_folder(base_folder, TICKETS, months=MONTHS)


def clocks(frame) -> list[tuple[str, str]]:
    return list(zip(frame.ticket_id, frame.sla_stage))


def test_the_breach_list_holds_the_breaches_the_compliance_cards_count(lists_folder):
    wh = warehouse(lists_folder, as_of=AS_OF)
    summary = page_table(wh, "sla_summary").iloc[0]
    assert (summary.tickets, summary.response_breaches, summary.resolve_breaches, summary.followup_breaches) == \
        (3, 1, 1, 1)
    every = page_table(wh, "sla_breaches", only_pending=False)
    # most late first: P1's follow-up 832 h, P3's resolution 260 h, P2's response 1 h
    assert clocks(every) == [("P1", "followup"), ("P3", "resolve"), ("P2", "response")]
    assert list(every.sla_late_h) == pytest.approx([832.0, 260.0, 1.0])
    assert every.sla_stage.value_counts().to_dict() == {"followup": 1, "resolve": 1, "response": 1}
    # O1 (May) and O2 (April) are not June's tickets: not in June's list, whatever happened to them
    assert not {"O1", "O2"} & set(every.ticket_id)


def test_only_those_not_done_yet_is_a_part_of_the_full_list(lists_folder):
    wh = warehouse(lists_folder, as_of=AS_OF)
    for period, every_expected, pending_expected in (
            ("2026-06", [("P1", "followup"), ("P3", "resolve"), ("P2", "response")],
             [("P1", "followup"), ("P3", "resolve")]),
            ("2026-05", [("O1", "followup")], [("O1", "followup")]),
            ("2026-04", [("O2", "resolve")], [("O2", "resolve")])):
        every = page_table(wh, "sla_breaches", period, only_pending=False)
        pending = page_table(wh, "sla_breaches", period, only_pending=True)
        assert clocks(every) == every_expected, period
        assert clocks(pending) == pending_expected, period
        assert set(clocks(pending)) <= set(clocks(every)), period
        assert pending.sla_clock_running.all() and pending.sla_stopped_at.isna().all()
    # P2's response stopped at 11:00, one hour after it fell due: done late, not pending
    p2 = page_table(wh, "sla_breaches", only_pending=False).set_index("ticket_id").loc["P2"]
    assert not p2.sla_clock_running and p2.sla_stopped_at == at("2026-06-03 11:00")
    assert p2.sla_late_days == pytest.approx(1 / 24)


def test_a_follow_up_missed_long_ago_is_a_breach_of_its_month_aged_in_days(lists_folder):
    wh = warehouse(lists_folder, as_of=AS_OF)
    # O1 was resolved on 05-03 and never followed up: due 05-06 00:00, 65 days before the as-of time
    may = page_table(wh, "sla_breaches", "2026-05", only_pending=False).set_index("ticket_id").loc["O1"]
    assert may.sla_stage == "followup" and may.sla_due_at == at("2026-05-06 00:00")
    assert may.sla_late_days == pytest.approx(65.0)
    assert may.sla_late_h == pytest.approx(65 * 24)
    # counted as a breach of May's follow-up compliance (1 resolved, 1 breached: 0 %) ...
    may_summary = page_table(wh, "sla_summary", "2026-05").iloc[0]
    assert (may_summary.tickets, may_summary.followup_breaches) == (1, 1)
    assert may_summary.sla_followup_compliance == 0
    # ... and not listed as running work in June (nor is it part of the backlog: it was resolved)
    for pending in (True, False):
        assert "O1" not in set(page_table(wh, "sla_breaches", only_pending=pending).ticket_id)
    assert "O1" not in set(page_table(wh, "sla_open").ticket_id)
    # P1's follow-up, still running in its own month: 34 days 16 h late
    june = page_table(wh, "sla_breaches", only_pending=True).set_index("ticket_id").loc["P1"]
    assert june.sla_late_days == pytest.approx(34 + 16 / 24)


def test_the_open_list_holds_the_tickets_the_backlog_card_counts(lists_folder):
    wh = warehouse(lists_folder, as_of=AS_OF)
    summary = page_table(wh, "sla_summary").iloc[0]
    backlog = page_table(wh, "sla_backlog")
    open_list = page_table(wh, "sla_open")
    assert summary.backlog == backlog.tickets.sum() == len(open_list) == 2
    # furthest past its target first: P3 264 h of 4 h (66×), O2 1704 h of 48 h (35.5×)
    assert list(open_list.ticket_id) == ["P3", "O2"]
    assert list(open_list.backlog_band) == ["over_2x", "over_2x"]
    assert list(open_list.open_days) == pytest.approx([11.0, 71.0])
    assert list(open_list.sla_late_days) == pytest.approx([10 + 20 / 24, 69.0])
    assert list(open_list.resolve_due_at) == [at("2026-06-29 04:00"), at("2026-05-02 00:00")]
    # whenever created: O2 is April's ticket, still in today's backlog, whichever period is chosen
    assert list(page_table(wh, "sla_open", "2026-04").ticket_id) == ["P3", "O2"]


def test_an_open_ticket_within_its_target_has_no_days_late(base_folder):
    # W1: G1 sev 3 (A: resolve 48 h), created 07-09 12:00: 12 h of 48 h at the as-of time
    folder = complaints_folder(base_folder, [ticket("W1", "G1", 3, "2026-07-09 12:00", "2026-07-09 13:00")],
                               months=("202607",))
    row = page_table(warehouse(folder, as_of=AS_OF), "sla_open", "2026-07").iloc[0]
    assert row.backlog_band == "within" and row.open_days == pytest.approx(0.5)
    assert row.sla_late_days != row.sla_late_days  # empty (NaN): not late


# ---------------------------------------------------------------- the page: cards and lists side by side

@pytest.fixture
def lists_app(lists_folder, tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    load_settings().with_overrides({"time.as_of": AS_OF}).save(settings)
    monkeypatch.setenv("KAM_DATA", str(lists_folder))
    monkeypatch.setenv("KAM_SETTINGS", str(settings))
    monkeypatch.setenv("KAM_USERS", str(tmp_path / "no_users.toml"))
    return lists_folder


def table_with(app: AppTest, lang: str, column: str):
    header = t(f"column.{column}", lang)
    return next(df.value for df in app.dataframe if header in df.value.columns)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_lists_the_tickets_its_cards_count(lists_app, lang):
    app = AppTest.from_file("../app.py", default_timeout=60)
    app.session_state["lang"] = lang
    app.run()
    app.switch_page("pages/sla.py")
    app.run()
    assert not app.exception, app.exception
    cards = {m.label: m.value for m in app.metric}
    assert cards[t("sla.kpi_backlog", lang)] == "2"
    # the open-ticket list: the two tickets of the card, April's included
    opened = table_with(app, lang, "open_days")
    assert list(opened[t("column.ticket_id", lang)]) == ["P3", "O2"]
    assert any(e.label == t("sla.open_list", lang, n="2") for e in app.expander)
    # the breach list says how many breaches the period has and how many of them are not done yet
    captions = " ".join(cap.value for cap in app.caption)
    assert t("sla.breaches_caption", lang, period="2026-06", n="3", response="1", resolve="1",
             followup="1") in captions
    assert t("sla.breaches_pending", lang, n="2") in captions
    late = table_with(app, lang, "sla_late_h")
    assert list(late[t("column.ticket_id", lang)]) == ["P1", "P3"]
    assert t("column.sla_stopped_at", lang) not in late.columns  # nothing has stopped in this view
    assert list(late[t("column.sla_late_days", lang)]) == pytest.approx([34 + 16 / 24, 10 + 20 / 24])
    app.toggle(key="sla_only_pending").set_value(False).run()
    late = table_with(app, lang, "sla_late_h")
    assert list(late[t("column.ticket_id", lang)]) == ["P1", "P3", "P2"]
    captions = " ".join(cap.value for cap in app.caption)
    assert t("sla.breaches_pending", lang, n="2") not in captions
