"""AppTest: the staffing and model-matrix pages in both languages, on the hand-made planning folder."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kam.planning import model_matrix as mx
from kam.planning import scenarios
from kam.i18n import t
from planning_fixture import planning_settings, write_planning_folder

TITLES = {"staffing": {"zh": "人员配置测算", "en": "Staffing what-if"},
          "model_matrix": {"zh": "管理模式决策", "en": "Management model"}}


@pytest.fixture
def app_folder(tmp_path, monkeypatch):
    folder = write_planning_folder(tmp_path / "exports")
    settings_file = planning_settings().save(tmp_path / "settings.toml")  # as-of 2026-06-30 12:00
    monkeypatch.setenv("KAM_DATA", str(folder))
    monkeypatch.setenv("KAM_SETTINGS", str(settings_file))
    return folder


def run_page(lang: str, page: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def label(key: str, lang: str, **fmt) -> str:
    found = t(key, lang, **fmt)
    assert found != key, f"{key} has no {lang} label"
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_staffing_page_shows_needs_calculator_and_scenario(app_folder, lang):
    at = run_page(lang, "staffing")
    assert at.title[0].value == TITLES["staffing"][lang]
    shown = metrics(at)
    # Province (tests/planning_fixture.py): three-star 1–3, two-star 2–3, one-star 0–0
    assert shown[label("star.3", lang)] == "1–3"
    assert shown[label("star.2", lang)] == "2–3"
    assert shown[label("star.1", lang)] == "0–0"
    # the calculator's defaults are the worked example: 412 groups of 210 members → 8–10, 41–52
    assert shown[label("planning.calc_capacity", lang)] == "8–10"
    assert shown[label("planning.calc_needed", lang, star=label("star.3", lang))] == "41–52"
    # what-if, base: needed low 1 + 0 + 2 = 3 (GZ A, SZ A, SZ B), one two-star short in SZ
    assert shown[label("planning.metric.required_low", lang)] == "3"
    assert shown[label("planning.metric.short_managers", lang)] == "1"
    tables = [df.value for df in at.dataframe]
    assert any(label("gap.short", lang) in df.to_string() for df in tables)
    assert label("column.required_low", lang) in tables[0].columns


def test_a_lever_changes_the_scenario_and_the_scenario_is_saved_and_reopened(app_folder):
    at = run_page("en", "staffing")
    at.number_input(key="staffing_growth_A").set_value(200.0).run()
    assert not at.exception, at.exception
    shown = metrics(at)
    # GZ A 21 → 63 groups: 4–5 (short 2); SZ A 7 → 21: 1–2 (short 1); SZ B unchanged 2–3 (short 1).
    assert shown["Managers needed (low)"] == "7"
    assert shown["Managers short"] == "4"
    delta = next(m for m in at.metric if m.label == "Managers short")
    assert delta.proto.delta == "+3"
    assert (delta.proto.direction, delta.proto.color) == (1, 0)  # up and red: more managers short is worse
    at.text_input(key="staffing_name").set_value("A 三倍").run()
    at.button(key="staffing_save").click().run()
    assert (app_folder / ".kam" / "scenarios" / "A_三倍.json").exists()
    assert "A_三倍.json" in " ".join(s.value for s in at.success)

    fresh = run_page("en", "staffing")
    assert metrics(fresh)["Managers short"] == "1"
    fresh.selectbox(key="staffing_open").set_value("A 三倍").run()
    assert not fresh.exception, fresh.exception
    assert fresh.number_input(key="staffing_growth_A").value == 200.0
    assert metrics(fresh)["Managers short"] == "4"


def test_rebalancing_proposal_on_the_page(app_folder):
    # GZ: M1 (3★) has 21 A groups of capacity 18 → 3 move to M8, the other employed 3★.
    # SZ: M2 (2★) has 54 B groups and room for 27; the 7 A groups have no manager and SZ has no 3★:
    # the fewest groups left without room is 27 B + 7 A = 34 (an A group takes 1/18 of a book, a B 1/27,
    # so M2 keeps 27 B groups); they need new managers.
    at = run_page("en", "staffing")
    at.button(key="staffing_rebalance_run").click().run()
    assert not at.exception, at.exception
    shown = metrics(at)
    assert shown["Groups moved"] == "3"
    assert shown["Groups still without a fitting manager"] == "34"
    assert shown["Managers over capacity before"] == "2"
    assert shown["Managers over capacity after"] == "0"
    # each group in the proposal opens its profile, in this session: tick its row
    moves = next(df.value for df in at.dataframe if "Group" in df.value.columns and len(df.value) == 37)
    second = moves[label("column.group_id", "en")].iloc[1]
    at.session_state["staffing_moves_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == label("page.group_profile", "en")
    assert at.query_params["group"] == second and at.query_params["lang"] == "en"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_model_matrix_page_shows_totals_recommendation_and_branches(app_folder, lang):
    at = run_page(lang, "model_matrix")
    assert at.title[0].value == TITLES["model_matrix"][lang]
    shown = metrics(at)
    assert shown[label("model.support", lang)] == "2.60"
    assert shown[label("model.parallel", lang)] == "4.15"
    assert shown[label("model.vertical", lang)] == "3.25"
    verdict = " ".join(s.value for s in at.success)
    assert label("model.parallel", lang) in verdict and label("strategy.leap", lang) in verdict
    tables = " ".join(df.value.to_string() for df in at.dataframe)
    # the sensitivity table's threshold for provincial support, 10/19
    assert "0.526316" in tables
    # branches: GZ recommends support as it runs today, SZ support while running parallel
    branches = next(df.value for df in at.dataframe if label("column.current_model", lang) in df.value.columns)
    assert list(branches[label("column.recommended_model", lang)]) == [label("model.support", lang)] * 2
    assert list(branches[label("column.current_model", lang)]) == [label("model.support", lang),
                                                                  label("model.parallel", lang)]


def test_a_saved_model_scenario_reopens_and_changes_the_recommendation(app_folder):
    settings = planning_settings()
    frame = mx.matrix_frame(settings.model_matrix)
    frame.loc[frame.variable == "provincial_support", "weight"] = 1.2  # 1.2 ÷ 2.1 = 0.571 > 10/19
    scenarios.save(app_folder, "model", "省级支撑", mx.levers_of(frame))
    at = run_page("en", "model_matrix")
    at.selectbox(key="model_matrix_open").set_value("省级支撑").run()
    assert not at.exception, at.exception
    assert "Vertical" in " ".join(s.value for s in at.success)
    assert any("rescaled" in w.value for w in at.warning)
    assert "Parallel" in " ".join(i.value for i in at.info)  # the settings would recommend parallel
    at.text_input(key="model_matrix_name").set_value("copy").run()
    at.button(key="model_matrix_save").click().run()
    assert scenarios.load(app_folder, "copy", "model").levers["weights"]["provincial_support"] == 1.2


def test_every_column_the_pages_show_has_a_label_in_both_languages(app_folder):
    from kam.planning import staffing as sf
    from kam.figures.query import Warehouse
    from kam.planning.rebalance import propose
    from kam.figures.reports import run_report

    wh = Warehouse(app_folder, planning_settings())
    period = wh.default_period()
    params = wh.period_params(period)
    base = sf.load_base(wh, period)
    projected = sf.project(base, sf.Levers.defaults(wh.settings), wh.settings)
    proposal = propose(wh.query("pages/staffing_book", params), wh.query("pages/staffing_managers", params))
    mm = wh.settings.model_matrix
    frame = mx.matrix_frame(mm)
    frames = [run_report(wh, "staffing"), wh.query("pages/staffing_total", params), projected,
              sf.compare(projected, projected), proposal.moves, proposal.workload, mx.sensitivity(frame),
              run_report(wh, "model"), mx.suggested_scores(mx.indicators(wh, period), frame, mm)]
    missing = sorted({f"{lang} column.{column}" for f in frames for column in f.columns for lang in ("zh", "en")
                      if t(f"column.{column}", lang) == f"column.{column}"})
    assert not missing


@pytest.mark.parametrize("page", ["staffing", "model_matrix"])
def test_every_label_a_page_names_exists_in_both_languages(page):
    import re
    from pathlib import Path
    source = (Path(__file__).resolve().parent.parent / "pages" / f"{page}.py").read_text(encoding="utf-8")
    keys = set(re.findall(r'c\.t\("([a-z0-9_.]+)"', source))
    keys |= {f"metric.{k}.{part}" for k in re.findall(r'"([a-z0-9_]+)"', source.split("ui.definitions(c,")[1])
             for part in ("name", "help")}
    assert len(keys) > 10
    missing = sorted(f"{lang} {k}" for k in keys for lang in ("zh", "en") if t(k, lang) == k)
    assert not missing


@pytest.mark.parametrize("lang,said", [("zh", "B类集团的调出比例合计 120%，超过了该类全部集团"),
                                       ("en", "moves out of class B add up to 120%, more than all its groups")])
def test_a_scenario_that_cannot_be_computed_says_why_in_the_viewers_language(app_folder, lang, said):
    # 70 % of the B groups to A and 50 % to C: 120 % of them would leave class B
    scenarios.save(app_folder, "staffing", "too many moves", {"moves": {"B>A": 0.7, "B>C": 0.5}})
    at = run_page(lang, "staffing")
    at.selectbox(key="staffing_open").set_value("too many moves").run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert label("planning.bad_lever", lang, error=said) in errors


# ---------------------------------------------------------------- saving without losing work (issue: lost work)

def save_as(at: AppTest, name: str) -> AppTest:
    """Type a name and click Save in one go, as a planner does who never presses Enter."""
    at.text_input(key="staffing_name").set_value(name)
    at.button(key="staffing_save").click().run()
    assert not at.exception, at.exception
    return at


def saved_levers(folder, stem: str) -> dict:
    import json
    return json.loads((folder / ".kam" / "scenarios" / f"{stem}.json").read_text(encoding="utf-8"))["levers"]


def test_two_scenarios_saved_by_clicking_save_only_keep_their_own_levers(app_folder):
    at = run_page("zh", "staffing")
    at.number_input(key="staffing_growth_A").set_value(200.0).run()
    save_as(at, "扩张方案")
    assert "扩张方案.json" in " ".join(s.value for s in at.success)  # the first click saved
    at.number_input(key="staffing_growth_A").set_value(0.0)
    at.number_input(key="staffing_growth_B").set_value(50.0).run()
    save_as(at, "保守方案")
    assert "保守方案.json" in " ".join(s.value for s in at.success)
    assert "扩张方案" not in " ".join(s.value for s in at.success)
    assert saved_levers(app_folder, "扩张方案")["group_growth"] == {"A": 2.0, "B": 0.0, "C": 0.0}
    assert saved_levers(app_folder, "保守方案")["group_growth"] == {"A": 0.0, "B": 0.5, "C": 0.0}
    # both are listed to reopen
    assert set(at.selectbox(key="staffing_open").options) >= {"扩张方案", "保守方案"}


def test_saving_over_a_saved_scenario_asks_first(app_folder):
    at = run_page("en", "staffing")
    at.number_input(key="staffing_growth_A").set_value(200.0).run()
    save_as(at, "plan")
    at.number_input(key="staffing_growth_A").set_value(100.0).run()
    save_as(at, "plan")
    assert not at.success
    assert any("plan.json" in w.value and "Overwrite" in w.value for w in at.warning)
    assert saved_levers(app_folder, "plan")["group_growth"]["A"] == 2.0  # untouched until confirmed
    at.button(key="staffing_cancel").click().run()
    assert not at.warning and saved_levers(app_folder, "plan")["group_growth"]["A"] == 2.0
    save_as(at, "plan")
    at.button(key="staffing_overwrite").click().run()
    assert "plan.json" in " ".join(s.value for s in at.success)
    assert saved_levers(app_folder, "plan")["group_growth"]["A"] == 1.0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_name_for_a_file_already_taken_or_an_empty_name_is_refused_with_a_message(app_folder, lang):
    at = run_page(lang, "staffing")
    at.number_input(key="staffing_growth_A").set_value(200.0).run()
    save_as(at, "扩张_方案")
    at.number_input(key="staffing_growth_A").set_value(0.0).run()
    save_as(at, "扩张 方案")
    said = " ".join(e.value for e in at.error)
    assert "扩张_方案.json" in said and label("planning.scenario_error.same_file", lang, name="扩张 方案",
                                                other="扩张_方案", file="扩张_方案.json") == said
    assert saved_levers(app_folder, "扩张_方案")["group_growth"]["A"] == 2.0
    save_as(at, "   ")
    assert label("planning.name_needed", lang) in " ".join(e.value for e in at.error)


def test_saved_scenarios_are_compared_with_each_other_side_by_side(app_folder):
    at = run_page("en", "staffing")
    at.number_input(key="staffing_growth_A").set_value(200.0).run()
    save_as(at, "Expansion")
    at.number_input(key="staffing_growth_A").set_value(0.0)
    at.number_input(key="staffing_growth_B").set_value(50.0).run()
    save_as(at, "Cautious")
    at.multiselect(key="staffing_side_by_side").set_value(["Expansion", "Cautious"]).run()
    assert not at.exception, at.exception
    levers = next(df.value for df in at.dataframe if label("column.growth_A", "en") in df.value.columns)
    levers = levers.set_index(label("column.scenario", "en"))
    assert levers.loc["Expansion", label("column.growth_A", "en")] == 200.0  # rates are shown in percent
    assert levers.loc["Cautious", label("column.growth_B", "en")] == 50.0
    staffing = next(df.value for df in at.dataframe
                    if label("column.scenario", "en") in df.value.columns and label("column.hires", "en") in df.value.columns)
    cols = [label(f"column.{k}", "en") for k in ("required_low", "required_high", "current", "short_managers",
                                                  "surplus_managers")]
    by = staffing.set_index([label("column.star_level", "en"), label("column.scenario", "en")])[cols]
    three, two = label("star.3", "en"), label("star.2", "en")
    # Three-star (tests/planning_fixture.py): base GZ 1–2 + SZ 0–1 = 1–3, 2 in post. Expansion: GZ 21 → 63
    # groups, 4–5; SZ 7 → 21, 1–2 → 5–7, short 2 (GZ 4 − 2) + 1 (SZ 1 − 0) = 3. Cautious: A as the base.
    assert by.loc[(three, "Expansion")].tolist() == [5, 7, 2, 3, 0]
    assert by.loc[(three, "Cautious")].tolist() == [1, 3, 2, 0, 0]
    assert by.loc[(three, label("planning.base_scenario", "en"))].tolist() == [1, 3, 2, 0, 0]
    # Two-star: SZ B 54 → 2–3 with 1 in post (1 short); Cautious 81 groups: 81 ÷ 27 = 3, 81 ÷ 21 = 3.86 → 4
    # → 3–4, 2 short.
    assert by.loc[(two, "Expansion")].tolist() == [2, 3, 1, 1, 0]
    assert by.loc[(two, "Cautious")].tolist() == [3, 4, 1, 2, 0]
    # the current levers (Cautious's, unsaved or not) are in it too
    assert by.loc[(two, label("planning.current_scenario", "en"))].tolist() == [3, 4, 1, 2, 0]


def test_growth_that_only_uses_up_a_surplus_says_so(app_folder):
    # GZ C: 1 group growing 5,000 % → 51: 51 ÷ 45 = 1.13 → 1, 51 ÷ 35 = 1.46 → 1 → 1–1; its one-star manager,
    # a surplus before, is now needed. Needed (low) 3 → 4, nobody more short (1, SZ B), surplus 1 → 0.
    at = run_page("zh", "staffing")
    at.number_input(key="staffing_growth_C").set_value(5000.0).run()
    assert not at.exception, at.exception
    shown = metrics(at)
    assert (shown[label("planning.metric.required_low", "zh")], shown[label("planning.metric.short_managers", "zh")],
            shown[label("planning.metric.surplus_managers", "zh")]) == ("4", "1", "0")
    said = " ".join(x.value for x in at.caption)
    assert label("planning.growth_absorbed", "zh", low_was=3, low_now=4, surplus_was=1, surplus_now=0) in said


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_model_page_says_why_branches_differ_from_the_province(app_folder, lang):
    # The province recommends parallel from the matrix's scores; both branches, scored from their own
    # measured values, recommend support (test above): the page says so, with the count.
    at = run_page(lang, "model_matrix")
    counts = f"{label('model.support', lang)} 2"
    said = label("planning.model_why_branches_differ", lang, n=2, counts=counts)
    assert said in " ".join(x.value for x in at.caption)
