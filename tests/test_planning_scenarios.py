"""Scenarios are named, saved in the export folder, reopened and compared with the base."""
from __future__ import annotations

import json

import pytest

from kam.planning import model_matrix as mx
from kam.planning import scenarios
from kam.planning import staffing as sf
from planning_fixture import warehouse, write_planning_folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_planning_folder(tmp_path_factory.mktemp("planning"))


@pytest.fixture(scope="module")
def wh(folder):
    return warehouse(folder)


@pytest.mark.parametrize("name,stem", [("扩张方案 2027", "扩张方案_2027"), ("../../etc/passwd", "etc_passwd"),
                                       ("a/b\\c", "a_b_c"), ("  growth+10%  ", "growth_10"), ("CON", "CON_"),
                                       ("Ｇｒｏｗｔｈ", "Growth"), ("x" * 100, "x" * 60)])
def test_scenario_names_are_sanitised_into_safe_file_names(name, stem):
    assert scenarios.sanitise(name) == stem


@pytest.mark.parametrize("name", ["", "   ", "...", "/", "%%%"])
def test_a_name_with_nothing_usable_is_refused(name):
    with pytest.raises(scenarios.ScenarioError):
        scenarios.sanitise(name)


def test_a_staffing_scenario_is_saved_reloaded_and_compared_with_the_base(wh, folder):
    settings = wh.settings
    levers = sf.Levers.defaults(settings)
    levers.group_growth = {"A": 2.0, "B": 0.0, "C": 0.0}
    path = scenarios.save(folder, "staffing", "A 翻三倍 / 2027", levers.to_dict())
    # saved in the data folder, under .kam/scenarios, with the name as typed inside
    assert path == folder / ".kam" / "scenarios" / "A_翻三倍_2027.json"
    assert json.loads(path.read_text(encoding="utf-8"))["name"] == "A 翻三倍 / 2027"
    assert [s.name for s in scenarios.list_scenarios(folder, "staffing")] == ["A 翻三倍 / 2027"]

    reopened = sf.Levers.from_dict(scenarios.load(folder, "A 翻三倍 / 2027", "staffing").levers, settings)
    assert reopened == levers

    base = sf.load_base(wh, wh.default_period())
    compared = sf.compare(sf.project(base, sf.Levers.defaults(settings), settings),
                          sf.project(base, reopened, settings))
    row = compared[(compared.branch_id == "GZ") & (compared["class"] == "A")].iloc[0]
    # Base (settings: no growth, attrition 15 %): 1–2 needed, current 2 → within; leavers 0.3, 1.7 stay ≥ 1 → 0 hires.
    # Scenario: 63 groups → 4–5, 2 short (4 − 2); 1.7 stay → hires ceil(4 − 1.7) = 3.
    assert (row.base_required_low, row.base_required_high, row.base_gap, row.base_hires) == (1, 2, "within", 0)
    assert (row.scenario_required_low, row.scenario_required_high, row.scenario_gap, row.scenario_hires) == \
        (4, 5, "short", 3)
    assert (row.base_short_managers, row.scenario_short_managers) == (0, 2)
    assert (row.delta_required_low, row.delta_required_high, row.delta_short_managers, row.delta_surplus_managers,
            row.delta_hires) == (3, 3, 2, 0, 3)
    assert row.changed
    # SZ C has nothing either way: not highlighted
    untouched = compared[(compared.branch_id == "SZ") & (compared["class"] == "C")].iloc[0]
    assert not untouched.changed


def test_saving_again_under_the_same_name_asks_first_and_replaces_only_when_told(folder):
    scenarios.save(folder, "staffing", "again", {"member_growth": 0.1})
    with pytest.raises(scenarios.ScenarioExists) as asked:
        scenarios.save(folder, "staffing", "again", {"member_growth": 0.2})
    assert asked.value.params["file"] == "again.json"
    assert scenarios.load(folder, "again").levers == {"member_growth": 0.1}  # not touched
    scenarios.save(folder, "staffing", " again ", {"member_growth": 0.2}, overwrite=True)  # the same name, trimmed
    assert scenarios.load(folder, "again").levers == {"member_growth": 0.2}
    assert not list((folder / ".kam" / "scenarios").glob("*.tmp"))


@pytest.mark.parametrize("first,second", [("扩张 方案", "扩张_方案"), ("a/b", "a b"), ("Plan", "plan"),
                                          ("growth+10%", "growth 10")])
def test_two_names_for_one_file_never_overwrite_each_other(tmp_path, first, second):
    # "扩张 方案" and "扩张_方案" both make 扩张_方案.json; "Plan" and "plan" are one file on Windows and macOS
    scenarios.save(tmp_path, "staffing", first, {"member_growth": 0.1})
    for overwrite in (False, True):
        with pytest.raises(scenarios.ScenarioError) as refused:
            scenarios.save(tmp_path, "staffing", second, {"member_growth": 0.2}, overwrite=overwrite)
        assert not isinstance(refused.value, scenarios.ScenarioExists)
        assert refused.value.key == "same_file" and first in refused.value.in_language("zh")
    assert [(s.name, s.levers) for s in scenarios.list_scenarios(tmp_path)] == [(first, {"member_growth": 0.1})]


def test_scenario_messages_speak_the_viewers_language(tmp_path):
    scenarios.save(tmp_path, "model", "org", {"weights": {}})
    with pytest.raises(scenarios.ScenarioError) as refused:
        scenarios.save(tmp_path, "staffing", "org", {})
    assert refused.value.in_language("zh") == "名称「org」已被另一类情景（管理模式情景）使用，请换一个名称。"
    assert "management-model scenario" in refused.value.in_language("en")


def test_a_name_used_by_the_other_kind_is_refused(folder):
    scenarios.save(folder, "model", "org 2027", {"weights": {}})
    with pytest.raises(scenarios.ScenarioError, match="model"):
        scenarios.save(folder, "staffing", "org 2027", {})
    assert [s.name for s in scenarios.list_scenarios(folder, "model")] == ["org 2027"]
    with pytest.raises(scenarios.ScenarioError):
        scenarios.load(folder, "org 2027", "staffing")


def test_a_model_scenario_is_saved_reloaded_and_compared(wh, folder):
    base = mx.matrix_frame(wh.settings.model_matrix)
    edited = base.copy()
    edited.loc[edited.variable == "provincial_support", "weight"] = 0.6  # others still sum to 0.9: rescaled
    scenarios.save(folder, "model", "省级支撑", mx.levers_of(edited))
    reopened = mx.apply_levers(base, scenarios.load(folder, "省级支撑", "model").levers)
    assert reopened.equals(edited)
    # Weights now sum to 1.5: provincial support counts 0.6 ÷ 1.5 = 0.4, the others in proportion (the
    # sensitivity rule); 0.4 is below its threshold 10/19 ≈ 0.526 (test_planning_model.py): parallel holds.
    assert mx.recommended(mx.totals(reopened)) == "parallel"
    reopened.loc[reopened.variable == "provincial_support", "weight"] = 1.2  # 1.2 ÷ 2.1 = 0.571 > 0.526
    assert mx.recommended(mx.totals(reopened)) == "vertical"


def test_an_unreadable_file_is_skipped_in_the_list(folder):
    (folder / ".kam" / "scenarios" / "broken.json").write_text("{not json", encoding="utf-8")
    names = [s.name for s in scenarios.list_scenarios(folder)]
    assert "broken" not in names and names


def test_two_names_for_one_file_saved_at_the_same_moment_never_overwrite_each_other(tmp_path, monkeypatch):
    # The race: the second save checked before the first had written, so it found the file free.
    real_taken = scenarios._taken
    calls = []

    def taken_as_before_the_first_save(folder, stem):
        calls.append(stem)
        if len(calls) == 1:
            scenarios.save(tmp_path, "staffing", "扩张 方案", {"member_growth": 0.1})  # the other planner, meanwhile
            return None
        return real_taken(folder, stem)
    monkeypatch.setattr(scenarios, "_taken", taken_as_before_the_first_save)
    with pytest.raises(scenarios.ScenarioError) as refused:
        scenarios.save(tmp_path, "staffing", "扩张_方案", {"member_growth": 0.2})
    assert refused.value.key == "same_file"
    assert [(s.name, s.levers) for s in scenarios.list_scenarios(tmp_path)] == [("扩张 方案", {"member_growth": 0.1})]


def test_opening_or_deleting_by_a_name_never_touches_another_names_file(tmp_path):
    scenarios.save(tmp_path, "staffing", "a b", {"member_growth": 0.1})
    with pytest.raises(scenarios.ScenarioError) as missing:
        scenarios.load(tmp_path, "a_b")  # same file, another name: not the scenario asked for
    assert missing.value.key == "missing"
    scenarios.delete(tmp_path, "a_b")
    assert [s.name for s in scenarios.list_scenarios(tmp_path)] == ["a b"]
    scenarios.delete(tmp_path, " a b ")
    assert scenarios.list_scenarios(tmp_path) == []


def test_a_save_that_fails_leaves_no_empty_file_in_the_way(tmp_path):
    circular: dict = {}
    circular["again"] = circular
    with pytest.raises(ValueError, match="Circular"):
        scenarios.save(tmp_path, "staffing", "plan", circular)  # cannot be written as JSON
    assert not list(scenarios.scenarios_dir(tmp_path).glob("*"))
    scenarios.save(tmp_path, "staffing", "plan", {"member_growth": 0.1})
    assert scenarios.load(tmp_path, "plan").levers == {"member_growth": 0.1}
