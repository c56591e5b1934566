"""AppTest: the managers, manager profile, turnover, visits and orders pages on the hand-made exports of
tests/managers_fixture.py, in both languages, showing the figures worked out in test_managers_figures.py."""
from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

import managers_fixture as fx
from conftest import BRANCHES, write_text
from kam.cli import main
from kam.i18n import t

LANGS = ["zh", "en"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("managers_pages") / "exports"
    folder.mkdir()
    write_text(folder / "branches.csv", *BRANCHES)
    fx.write_exports(folder)
    fx.load(folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KAM_DATA", str(folder))
        yield folder


def open_page(lang: str, page: str, period: str = "2026-Q2", **query) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["period"] = period
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def table(at: AppTest, key_column: str, lang: str, index: int = 0):
    """The index-th table on the page, with its header for key_column as the index."""
    frame = at.dataframe[index].value
    return frame.set_index(t(f"column.{key_column}", lang))


@pytest.mark.parametrize("lang", LANGS)
def test_managers_page_shows_the_scorecard_with_its_components(folder, lang):
    at = open_page(lang, "pages/managers.py")
    assert at.title[0].value == t("page.managers", lang)
    assert [m.value for m in at.metric] == ["5", "0", "5", "1"]  # managers, over, under, with a misfit group
    scores = table(at, "manager_name", lang)
    # M1 张一: revenue 715, score 57.5, rank 1 of 3; his percentile ranks beside the score
    m1 = scores.loc["张一"]
    assert m1[t("column.score", lang)] == 57.5 and m1[t("column.rank", lang)] == 1
    assert float(m1[t("column.revenue", lang)]) == 715.0
    assert m1[t("column.pr_revenue_growth", lang)] == pytest.approx(250 / 3)  # rates are shown in percent
    assert m1[t("column.manager_id", lang)] == "M1"
    assert m1[t("column.employment", lang)] == t("employment.staff", lang)
    # the award shows the top 3 of each star level: M1 M3 M2 (three-star), M4, M6
    award = at.dataframe[1].value
    assert award[t("column.manager_name", lang)].tolist() == ["张一", "王三", "李二", "赵四", "孙六"]
    at.number_input(key="managers_award_top").set_value(1).run()
    assert at.dataframe[1].value[t("column.manager_name", lang)].tolist() == ["张一", "赵四", "孙六"]
    # workload: everyone is under-used; M4 has one group above his star
    work = table(at, "manager_name", lang, 2)
    assert work.loc["赵四", t("column.misfit_groups", lang)] == 1
    assert set(work[t("column.workload", lang)]) == {t("managers.workload.under", lang)}
    assert len(at.get("plotly_chart")) == 2


def test_managers_page_filters_by_star_level_branch_and_employment(folder):
    at = open_page("en", "pages/managers.py")
    at.multiselect(key="managers_stars").set_value([3]).run()
    assert sorted(at.dataframe[0].value["Manager"]) == ["张一", "李二", "王三"]
    at.multiselect(key="managers_employment").set_value(["outsourced"]).run()
    assert at.dataframe[0].value["Manager"].tolist() == ["王三"]
    at.multiselect(key="managers_stars").set_value([]).run()
    at.multiselect(key="managers_employment").set_value([]).run()
    at.multiselect(key="managers_branches").set_value(["SZ"]).run()
    assert sorted(at.dataframe[0].value["Manager"]) == ["孙六", "赵四"]


def test_managers_page_and_kam_report_agree(folder, capsys):
    at = open_page("en", "pages/managers.py")
    shown = at.dataframe[0].value.set_index("Manager ID")
    assert main(["report", "managers", "--data", str(folder), "--period", "2026-Q2", "--format", "json"]) == 0
    for record in json.loads(capsys.readouterr().out):
        row = shown.loc[record["manager_id"]]
        assert [row["Score"], row["Rank"], row["Groups"], row["Members"]] == \
            [record["score"], record["rank"], record["groups"], record["members"]]
        assert float(row["Revenue"]) == record["revenue"]
        assert row["Visit compliance"] == pytest.approx(record["visit_compliance"] * 100)  # the page shows %


def test_the_profile_link_under_the_table_follows_the_chosen_manager(folder):
    at = open_page("en", "pages/managers.py")
    at.selectbox(key="managers_profile_pick").set_value("M3").run()
    link = at.page_link[0]
    assert link.value == "Open profile"
    assert link.proto.page == "manager_profile"
    assert parse_qs(link.proto.query_string) == {"lang": ["en"], "period": ["2026-Q2"], "manager": ["M3"]}
    # a hand-over through the session (st.session_state["manager_profile_manager_id"]) works too
    at.session_state["manager_profile_manager_id"] = "M3"
    at.switch_page("pages/manager_profile.py")
    at.run()
    assert at.title[0].value == "Manager profile"
    assert at.selectbox(key="manager_profile_pick").value == "M3"
    # and the picker moves to another manager
    at.selectbox(key="manager_profile_pick").set_value("M1").run()
    assert at.selectbox(key="manager_profile_pick").value == "M1"
    assert {m.label: m.value for m in at.metric}["Score"] == "57.50"


@pytest.mark.parametrize("lang", LANGS)
def test_manager_profile_opened_with_a_link(folder, lang):
    at = open_page(lang, "pages/manager_profile.py", manager="M2")
    assert at.title[0].value == t("page.manager_profile", lang)
    assert at.selectbox(key="manager_profile_pick").value == "M2"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("column.score", lang)] == "42.50"
    assert metrics[t("column.visit_compliance", lang)] == "50.0%"
    book = table(at, "group_id", lang, 1)
    # G3 came to M2 in May: its revenue here is May + June, 440
    assert float(book.loc["G3", t("column.revenue", lang)]) == 440.0
    assert not book.loc["G4", t("column.compliant", lang)]  # 5 visits of 6
    # M1's profile: the open complaint T5 and the stuck order O2
    at.selectbox(key="manager_profile_pick").set_value("M1").run()
    shown = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "T5" in shown and "O2" in shown


@pytest.mark.parametrize("lang", LANGS)
def test_visits_page(folder, lang):
    at = open_page(lang, "pages/visits.py")
    assert at.title[0].value == t("page.visits", lang)
    by_class = table(at, "class", lang)
    assert by_class.loc[t("class.A", lang), t("column.compliant_groups", lang)] == 3
    assert by_class.loc[t("class.A", lang), t("column.visit_compliance", lang)] == pytest.approx(60.0)  # 60.0%
    overdue = at.dataframe[-1].value
    assert overdue[t("column.group_id", lang)].tolist() == ["G9", "G7"]
    care = table(at, "quarter_label", lang, 3)
    assert care.loc["2026-Q2", t("column.quarter_theme", lang)] == t("theme.communicate", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_orders_page(folder, lang):
    at = open_page(lang, "pages/orders.py")
    assert at.title[0].value == t("page.orders", lang)
    funnel = table(at, "stage", lang)
    assert funnel[t("column.orders", lang)].tolist() == [5, 3, 3, 2, 2]
    assert funnel.loc[t("stage.activated", lang), t("column.median_days_from_visit", lang)] == 25.0
    stuck = at.dataframe[-1].value
    assert stuck[t("column.order_id", lang)].tolist() == ["O2"]
    # Q2's orders stuck for more than 10 days: O2 and O4 (10.75 days in 走访)
    at.number_input(key="orders_stuck_days").set_value(10).run()
    assert at.dataframe[-1].value[t("column.order_id", lang)].tolist() == ["O2", "O4"]


@pytest.mark.parametrize("lang", LANGS)
def test_turnover_page(folder, lang):
    at = open_page(lang, "pages/turnover.py")
    assert at.title[0].value == t("page.turnover", lang)
    departures = at.dataframe[0].value
    assert departures[t("column.next_manager_id", lang)].tolist() == ["M6"]
    assert departures[t("column.outcome", lang)].tolist() == [t("managers.outcome.reassigned", lang)]
    # six months of data: no change of manager can be compared yet, and the page says so
    assert [i.value for i in at.info] == [t("managers.turnover.no_windows", lang)]
