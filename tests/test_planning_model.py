"""Management-model matrix: totals, recommendation, sensitivity thresholds and branch suggestions, by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from kam.planning import model_matrix as mx
from kam.figures.reports import run_report
from kam.figures.settings import load_settings
from planning_fixture import warehouse, write_planning_folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_planning_folder(tmp_path_factory.mktemp("planning"))


@pytest.fixture(scope="module")
def wh(folder):
    return warehouse(folder)


def default_matrix() -> pd.DataFrame:
    return mx.matrix_frame(load_settings().model_matrix)


def test_totals_of_the_default_matrix_by_hand():
    # weights .25 .20 .20 .10 .15 .10
    # support  = .25×2 + .2×3 + .2×3 + .1×3 + .15×2 + .1×3 = .5 + .6 + .6 + .3 + .3 + .3 = 2.60
    # parallel = .25×5 + .2×4 + .2×4 + .1×4 + .15×4 + .1×3 = 1.25 + .8 + .8 + .4 + .6 + .3 = 4.15
    # vertical = .25×3 + .2×3 + .2×3 + .1×3 + .15×4 + .1×4 = .75 + .6 + .6 + .3 + .6 + .4 = 3.25
    totals = mx.totals(default_matrix())
    assert totals == {"support": 2.6, "parallel": 4.15, "vertical": 3.25}
    assert mx.recommended(totals) == "parallel"
    assert load_settings().model_matrix.strategy["parallel"] == "leap"  # 跨越领先


def test_sensitivity_threshold_of_provincial_support_by_hand():
    # Provincial support: weight .10, parallel 3, vertical 4. The other variables rescaled to weight 1:
    # parallel (4.15 − .3) ÷ .9 = 3.85/.9, vertical (3.25 − .4) ÷ .9 = 2.85/.9; their difference 1/.9 = 10/9.
    # Parallel − vertical at weight t: t × (3 − 4) + (1 − t) × 10/9 = 0  →  t = (10/9) ÷ (19/9) = 10/19.
    # Support never catches up (its line stays below). So the recommendation changes above 10/19 ≈ 0.526.
    table = mx.sensitivity(default_matrix()).set_index("variable")
    row = table.loc["provincial_support"]
    assert row.upper_threshold == pytest.approx(10 / 19)
    assert row.upper_model == "vertical"
    assert pd.isna(row.lower_threshold)
    assert row.margin == pytest.approx(10 / 19 - 0.10)


def test_a_weight_whose_recommendation_never_changes_has_no_threshold():
    # Size of the base: parallel scores 5 against vertical 3 and support 2, and the rest rescaled also
    # favours parallel (3.87 against 3.33 and 2.8): parallel leads over the whole range 0–1.
    row = mx.sensitivity(default_matrix()).set_index("variable").loc["base_scale"]
    assert pd.isna(row.lower_threshold) and pd.isna(row.upper_threshold) and pd.isna(row.margin)


def test_sensitivity_in_both_directions_on_a_two_variable_matrix():
    # v1 (.5): support 5, parallel 1, vertical 1; v2 (.5): support 1, parallel 4, vertical 1.
    # Totals: support 3, parallel 2.5, vertical 1 → support.
    # Moving v1 to t (v2 gets 1 − t): support 5t + (1 − t) = 1 + 4t; parallel t + 4(1 − t) = 4 − 3t;
    # equal at t = 3/7 — below today's .5. Moving v2 to t: support t + 5(1 − t), parallel 4t + (1 − t):
    # equal at t = 4/7 — above .5.
    frame = pd.DataFrame([{"variable": "v1", "weight": .5, "support": 5, "parallel": 1, "vertical": 1},
                          {"variable": "v2", "weight": .5, "support": 1, "parallel": 4, "vertical": 1}])
    assert mx.totals(frame) == {"support": 3.0, "parallel": 2.5, "vertical": 1.0}
    table = mx.sensitivity(frame).set_index("variable")
    assert table.loc["v1", "lower_threshold"] == pytest.approx(3 / 7)
    assert table.loc["v1", "lower_model"] == "parallel" and pd.isna(table.loc["v1", "upper_threshold"])
    assert table.loc["v2", "upper_threshold"] == pytest.approx(4 / 7)
    assert table.loc["v2", "upper_model"] == "parallel" and pd.isna(table.loc["v2", "lower_threshold"])


def test_moving_a_weight_just_past_its_threshold_changes_the_recommendation():
    # Check the threshold the way a planner would: set the weight and rescale the others.
    frame = default_matrix()
    for t, expected in ((10 / 19 - 0.001, "parallel"), (10 / 19 + 0.001, "vertical")):
        moved = frame.copy()
        others = moved.variable != "provincial_support"
        moved.loc[others, "weight"] *= (1 - t) / 0.9
        moved.loc[~others, "weight"] = t
        assert mx.recommended(mx.totals(moved)) == expected


def test_weights_not_summing_to_one_are_rescaled():
    frame = default_matrix()
    doubled = frame.assign(weight=frame.weight * 2)
    assert mx.totals(doubled) == mx.totals(frame)
    assert mx.check(frame.assign(weight=0.0)) == ["weights"]
    bad = frame.copy()
    bad.loc[0, "support"] = 6
    assert mx.check(bad) == ["base_scale.support"]


def test_branch_indicators_worked_out_by_hand(wh):
    # tests/planning_fixture.py
    ind = mx.indicators(wh, wh.default_period()).set_index("branch_id")
    assert tuple(ind.loc["GZ", ["active_groups", "line_ict_data_share", "manager_capability",
                                "manager_turnover_rate"]]) == (22, 0.25, 2.0, 0.4)
    assert ind.loc["GZ", "member_churn_rate"] == pytest.approx(1 / 6, abs=1e-6)
    assert ind.loc["GZ", "mgmt_model"] == "support"
    assert tuple(ind.loc["SZ", ["active_groups", "manager_capability", "manager_turnover_rate"]]) == (61, 1.0, 0.0)
    assert pd.isna(ind.loc["SZ", "line_ict_data_share"]) and pd.isna(ind.loc["SZ", "member_churn_rate"])


def test_model_report_suggests_scores_and_a_model_per_branch(wh):
    # GZ levels: groups 22 → 1 (support 5, parallel 1, vertical 2); share .25 → 3 (4, 3, 3);
    # capability 2.0 → 4 (2, 4, 2); turnover .4 → 5 (4, 1, 5); churn 1/6 → 5 (1, 4, 5);
    # provincial support not measurable: the matrix's (3, 3, 4).
    # support  = .25×5 + .2×4 + .2×2 + .1×4 + .15×1 + .1×3 = 3.30
    # parallel = .25×1 + .2×3 + .2×4 + .1×1 + .15×4 + .1×3 = 2.65
    # vertical = .25×2 + .2×3 + .2×2 + .1×5 + .15×5 + .1×4 = 3.15  → support (稳健优化), as today.
    # SZ levels: groups 61 → 1 (5, 1, 2); share unmeasured → matrix (3, 4, 3); capability 1.0 → 1 (4, 1, 5);
    # turnover 0 → 1 (3, 5, 2); churn unmeasured → matrix (2, 4, 4); provincial (3, 3, 4).
    # support  = .25×5 + .2×3 + .2×4 + .1×3 + .15×2 + .1×3 = 3.55
    # parallel = .25×1 + .2×4 + .2×1 + .1×5 + .15×4 + .1×3 = 2.65
    # vertical = .25×2 + .2×3 + .2×5 + .1×2 + .15×4 + .1×4 = 3.30  → support, but SZ runs parallel today.
    report = run_report(wh, "model").set_index("branch_id")
    gz, sz = report.loc["GZ"], report.loc["SZ"]
    assert (gz.base_scale_level, gz.data_ict_share_level, gz.manager_capability_level, gz.manager_turnover_level,
            gz.competition_level) == (1, 3, 4, 5, 5)
    assert (gz.support_total, gz.parallel_total, gz.vertical_total) == (3.3, 2.65, 3.15)
    assert (gz.recommended_model, gz.strategy, gz.current_model, gz.matches_current) == \
        ("support", "steady", "support", True)
    assert pd.isna(sz.data_ict_share_level) and pd.isna(sz.competition_level)
    assert (sz.support_total, sz.parallel_total, sz.vertical_total) == (3.55, 2.65, 3.3)
    assert (sz.recommended_model, sz.current_model, sz.matches_current) == ("support", "parallel", False)


def test_suggested_scores_say_which_scores_come_from_the_data(wh):
    ind = mx.indicators(wh, wh.default_period())
    mm = wh.settings.model_matrix
    scores = mx.suggested_scores(ind[ind.branch_id == "SZ"], mx.matrix_frame(mm), mm).set_index("variable")
    assert bool(scores.loc["manager_turnover", "suggested"]) and scores.loc["manager_turnover", "level"] == 1
    assert not scores.loc["competition", "suggested"] and scores.loc["competition", "vertical"] == 4
    assert not scores.loc["provincial_support", "suggested"] and pd.isna(scores.loc["provincial_support", "indicator"])
