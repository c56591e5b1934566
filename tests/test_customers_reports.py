"""`kam report overview|branches|classes|pareto` print the hand-worked figures, and the pages show the same."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from customers_fixture import load, open_warehouse
from kam.cli import main
from kam.i18n import t
from kam.figures.period import Period
from kam.figures.query import Scope
from kam.figures.reports import run_report


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("customers_reports") / "exports"
    folder.mkdir()
    load(folder)
    return folder


def report_json(folder, name, capsys, period="2026-06") -> list[dict]:
    assert main(["report", name, "--data", str(folder), "--period", period, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_kam_report_prints_the_hand_worked_figures(folder, capsys):
    overview = {r["kpi"]: r for r in report_json(folder, "overview", capsys)}
    assert overview["revenue"]["value"] == 101_500  # 50000+8300+20000+1500+20000+1000+700
    assert overview["revenue"]["previous"] == 134_500
    assert overview["groups"]["value"] == 6 and overview["member_churn_rate"]["value"] == pytest.approx(0.2)
    assert overview["visit_compliance"]["previous"] == pytest.approx(1 / 7)  # May: only G7 (C, visited 04-02)
    branches = {r["branch_id"]: r for r in report_json(folder, "branches", capsys)}
    contract = {"branch_id", "groups", "revenue", "member_churn_rate", "visit_compliance", "sla_resolve_compliance",
                "star_fit_rate"}
    assert contract <= set(branches["GZ"])
    assert (branches["GZ"]["revenue"], branches["GZ"]["star_fit_rate"]) == (78_300, 0.5)
    classes = report_json(folder, "classes", capsys)
    assert {"branch_id", "class", "groups", "revenue"} <= set(classes[0])
    assert sum(r["revenue"] for r in classes) == pytest.approx(101_500)
    pareto = report_json(folder, "pareto", capsys)
    assert len(pareto) == 1 and pareto[0]["groups"] == 6 and pareto[0]["top20_share"] == pytest.approx(0.7)


@pytest.mark.parametrize("name", ["overview", "branches", "classes", "pareto"])
@pytest.mark.parametrize("period", ["2026-06", "2026-Q2"])
def test_kam_report_json_is_run_report(folder, capsys, name, period):
    printed = pd.DataFrame(report_json(folder, name, capsys, period))
    frame = run_report(open_warehouse(folder), name, Period.parse(period))
    assert list(printed.columns) == list(frame.columns)
    for col in frame.columns:
        if col not in ("branch_id", "branch_name", "kpi", "kind", "class"):
            assert numbers(printed[col]) == pytest.approx(numbers(frame[col]), nan_ok=True), col
        else:
            assert printed[col].tolist() == frame[col].tolist(), col


# ---------------------------------------------------------------- the pages show the report's numbers

@pytest.fixture
def app(folder, monkeypatch):
    monkeypatch.setenv("KAM_DATA", str(folder))

    def run(page: str, *, branches: list[str] | None = None, **query) -> AppTest:
        at = AppTest.from_file("../app.py", default_timeout=60)
        at.session_state["lang"] = "en"
        at.run()
        at.sidebar.selectbox[0].set_value("2026-06").run()
        if branches:
            at.sidebar.multiselect[0].set_value(branches).run()
        for key, value in query.items():
            at.query_params[key] = value
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, at.exception
        return at
    return run


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The table on screen that has this column (its header in English)."""
    header = t(f"column.{column}", "en")
    return next(df.value for df in at.dataframe if header in df.value.columns)


def numbers(series) -> list[float]:
    return pd.to_numeric(series, errors="coerce").astype(float).tolist()


def read_back(texts) -> list[float]:
    """Cells written out for people ("¥42,901,620.72", "2,945", "1.1%", "—") as the numbers they say."""
    out = []
    for text in texts:
        plain = str(text).replace("¥", "").replace(",", "").replace("\u2212", "-")
        out.append(float("nan") if plain in ("—", "None") else
                   float(plain[:-1]) / 100 if plain.endswith("%") else float(plain))
    return out


@pytest.mark.parametrize("branches", [None, ["GZ"]])
def test_overview_page_shows_kam_report_overview(folder, app, branches):
    at = app("overview", branches=branches)
    scope = Scope(branches=tuple(branches)) if branches else Scope()
    expected = run_report(open_warehouse(folder), "overview", Period.parse("2026-06"), scope)
    shown = table_with(at, "year_ago")
    # written out by kind: money to the fen, counts whole, rates in % to one decimal (so within 0.05 points)
    assert read_back(shown[t("column.current_value", "en")]) == pytest.approx(numbers(expected.value), abs=5e-4,
                                                                              nan_ok=True)
    assert read_back(shown[t("column.previous", "en")]) == pytest.approx(numbers(expected.previous), abs=5e-4,
                                                                         nan_ok=True)


def test_branches_page_shows_kam_report_branches(folder, app):
    at = app("branches")
    expected = run_report(open_warehouse(folder), "branches", Period.parse("2026-06")).set_index("branch_name")
    shown = table_with(at, "revenue_rank").set_index(t("column.branch_name", "en"))  # branches by name on screen
    for col in ("revenue", "member_churn_rate", "visit_compliance", "sla_resolve_compliance", "star_fit_rate",
                "revenue_rank"):
        percent = 100 if col.endswith(("_rate", "_compliance")) else 1  # rates are shown in percent
        assert numbers(shown[t(f"column.{col}", "en")]) == pytest.approx(
            [v * percent for v in numbers(expected[col])], nan_ok=True), col


def test_classes_page_shows_kam_report_classes_and_pareto(folder, app):
    wh = open_warehouse(folder)
    at = app("classes")
    expected = run_report(wh, "classes", Period.parse("2026-06"))
    shown = table_with(at, "branch_name")
    assert numbers(shown[t("column.revenue", "en")]) == pytest.approx(numbers(expected.revenue))
    assert numbers(shown[t("column.groups", "en")]) == numbers(expected.groups)
    at = app("classes", view="pareto")
    pareto = run_report(wh, "pareto", Period.parse("2026-06")).iloc[0]
    shown = table_with(at, "top20_share").iloc[0]
    assert float(shown[t("column.top20_share", "en")]) == pytest.approx(pareto.top20_share * 100)  # in %
    assert int(shown[t("column.top_groups", "en")]) == pareto.top_groups == 2
