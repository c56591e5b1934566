"""AppTest: the complaint-SLA page in both languages on hand-made tickets, and `kam report sla` agreeing with it."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from apptest_pages import open_app_page

from kam.cli import main
from kam.app.fmt import fmt_duration
from kam.i18n import t
from kam.figures.settings import load_settings
from sla_fixture import complaints_folder, ticket

# June 2026, as-of 2026-07-10 00:00 (settings override). Targets: G1 is A, G2 is B.
#   C1 G1 sev 2 (2 h / 24 h) billing  hotline  response 3 h (breach), resolved 10 h, followed up 24 h, rated 5
#   C2 G1 sev 2              billing  manager  response 1 h, resolved 30 h (breach), follow-up 100 h (breach), 2
#   C3 G2 sev 3 (8 h / 72 h) network  hotline  all in time, rated 4
#   C4 G2 sev 3              network  store    never answered: 856 h at the as-of time, two breaches, open
#   C0 G2 sev 3, May 20 (not June's)      AR1 G1 sev 3 (respond 4 h), July 9 20:30, unanswered: 3.5 h = 87.5 %
# June: 4 tickets; response 2/4 = 50.0 %, resolution 2/4 = 50.0 %, follow-up 1 breach of 3 resolved = 66.7 %.
# Open at the as-of time: C4 and AR1 (2); at risk: AR1 (1), due 2026-07-10 00:30.
# Repeats in June: C2 (1 day after C1), C3 (14 days after C0), C4 (1 day after C3) → 3 of 4 = 75.0 %.
# Satisfaction over the followed-up tickets C1, C2, C3: (5 + 2 + 4) / 3 = 3.67, 2 of 3 rated ≥ 4 = 66.7 %.
TICKETS = [
    ticket("C1", "G1", 2, "2026-06-01 08:00", "2026-06-01 11:00", "2026-06-01 18:00", "2026-06-02 18:00",
           category="billing", channel="hotline", satisfaction="5"),
    ticket("C2", "G1", 2, "2026-06-02 08:00", "2026-06-02 09:00", "2026-06-03 14:00", "2026-06-07 18:00",
           category="billing", channel="manager", satisfaction="2"),
    ticket("C3", "G2", 3, "2026-06-03 08:00", "2026-06-03 09:00", "2026-06-03 13:00", "2026-06-03 15:00",
           category="network", channel="hotline", satisfaction="4"),
    ticket("C4", "G2", 3, "2026-06-04 08:00", category="network", channel="store"),
    ticket("C0", "G2", 3, "2026-05-20 08:00", "2026-05-20 09:00", "2026-05-20 13:00", "2026-05-20 15:00"),
    ticket("AR1", "G1", 3, "2026-07-09 20:30", category="fault"),
]


@pytest.fixture
def sla_app(base_folder, tmp_path, monkeypatch):
    folder = complaints_folder(base_folder, TICKETS, months=("202605", "202606"))
    settings = tmp_path / "settings.toml"
    load_settings().with_overrides({"time.as_of": "2026-07-10 00:00"}).save(settings)
    monkeypatch.setenv("KAM_DATA", str(folder))
    monkeypatch.setenv("KAM_SETTINGS", str(settings))
    monkeypatch.setenv("KAM_USERS", str(tmp_path / "no_users.toml"))
    return folder, settings


def run_sla(lang: str) -> AppTest:
    return open_app_page("sla", lang)


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def table_with(at: AppTest, lang: str, column: str):
    header = t(f"column.{column}", lang)
    return next(df.value for df in at.dataframe if header in df.value.columns)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sla_page_shows_the_hand_worked_figures(sla_app, lang):
    at = run_sla(lang)
    assert at.title[0].value == t("page.sla", lang)
    shown = metrics(at)
    assert shown[t("sla.kpi_tickets", lang)][0] == "4"
    assert shown[t("metric.sla_response_compliance.name", lang)][0] == "50.0%"
    assert shown[t("metric.sla_resolve_compliance.name", lang)][0] == "50.0%"
    assert shown[t("metric.sla_followup_compliance.name", lang)][0] == "66.7%"
    assert shown[t("sla.kpi_backlog", lang)][0] == "2"
    assert shown[t("sla.kpi_at_risk", lang)][0] == "1"
    assert shown[t("sla.kpi_repeat", lang)] == ("75.0%", "3 / 4")
    assert shown[t("sla.kpi_satisfaction", lang)][0] == t("sla.kpi_satisfaction_value", lang, mean="3.67")
    assert "66.7%" in shown[t("sla.kpi_satisfaction", lang)][1]
    # the page says which clock it used
    assert any(t("sla.clock_calendar", lang) in cap.value for cap in at.caption)

    at_risk = table_with(at, lang, "sla_due_at")
    assert list(at_risk[t("column.ticket_id", lang)]) == ["AR1"]
    assert at_risk[t("column.sla_stage", lang)].iloc[0] == t("sla.stage.response", lang)
    assert str(at_risk[t("column.sla_due_at", lang)].iloc[0]).startswith("2026-07-10 00:30")

    # the breached clocks still running: C4's response and resolution; all breaches of June: five
    late = table_with(at, lang, "sla_late_h")
    assert sorted(late[t("column.ticket_id", lang)]) == ["C4", "C4"]
    at.toggle(key="sla_only_pending").set_value(False).run()
    late = table_with(at, lang, "sla_late_h")
    assert list(late[t("column.ticket_id", lang)]) == ["C4", "C4", "C2", "C2", "C1"]

    # cut by category: billing 2 tickets with response 1/2, network 2 with resolution 1/2
    at.selectbox(key="sla_cut").set_value("category").run()
    assert not at.exception, at.exception
    cuts = table_with(at, lang, "category").set_index(t("column.category", lang))
    assert cuts.loc[t("category.billing", lang), t("column.tickets", lang)] == 2
    assert cuts.loc[t("category.billing", lang), t("column.sla_response_compliance", lang)] == 50.0  # in %
    assert cuts.loc[t("category.network", lang), t("column.sla_resolve_compliance", lang)] == 50.0

    pareto = table_with(at, lang, "ticket_cum_share")
    assert list(pareto[t("column.tickets", lang)]) == [2, 2]
    repeats = table_with(at, lang, "repeat_gap_days")
    assert list(repeats[t("column.ticket_id", lang)]) == ["C4", "C3", "C2"]


def test_the_page_names_the_business_hours_clock_when_it_is_on(sla_app, monkeypatch):
    folder, settings = sla_app
    load_settings(settings).with_overrides({"business_hours.enabled": True}).save(settings)
    at = run_sla("en")
    captions = " ".join(cap.value for cap in at.caption)
    assert "business hours: Mon, Tue, Wed, Thu, Fri 09:00–18:00" in captions


def test_the_page_and_kam_report_sla_show_the_same_table(sla_app, capsys):
    folder, settings = sla_app
    assert main(["report", "sla", "--data", str(folder), "--period", "2026-06", "--settings", str(settings),
                 "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    at = run_sla("en")
    page = table_with(at, "en", "response_target_h")
    assert len(page) == len(cli) == 9
    for col in cli[0]:
        header = t(f"column.{col}", "en")
        for shown, row in zip(page[header], cli):
            expected = row[col]
            if col == "class":
                expected = t(f"class.{expected}", "en")
            elif col == "severity":
                expected = t(f"severity.{expected}", "en")
            if expected is None:
                assert shown is None or shown != shown, (col, shown)  # empty in both
            elif col.endswith("_h"):  # a duration reads in its unit on the page: "41 min", "3 d"
                assert shown == fmt_duration(expected, "en"), col
            elif col.endswith("_compliance"):  # a rate reads in percent on the page
                assert shown == pytest.approx(expected * 100), col
            elif isinstance(expected, float):
                assert shown == pytest.approx(expected), col
            else:
                assert shown == expected, col
    # and the figures are the hand-worked ones: A × 2 holds C1 and C2
    a2 = next(r for r in cli if r["class"] == "A" and r["severity"] == 2)
    assert (a2["tickets"], a2["response_breaches"], a2["resolve_breaches"], a2["followup_breaches"], a2["open"]) \
        == (2, 1, 1, 1, 0)
