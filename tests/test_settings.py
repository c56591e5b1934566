"""settings.toml: the defaults of metrics.md load, and a planner's mistake is named by its dotted key."""
from __future__ import annotations

import datetime as dt
import math
import tomllib
from pathlib import Path

import duckdb
import pytest

from kam.figures.settings import DEFAULT_PATH, Settings, SettingsError, dumps_toml, load_settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(DEFAULT_PATH)


@pytest.fixture
def edited(tmp_path):
    """Write a copy of settings.toml with one or more text edits, as a planner would make them."""
    original = DEFAULT_PATH.read_text(encoding="utf-8")

    def write(*edits: tuple[str, str]) -> Path:
        text = original
        for old, new in edits:
            assert old in text, f"test edit does not apply: {old!r}"
            text = text.replace(old, new, 1)
        path = tmp_path / "settings.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def half_up(x: float) -> int:
    return math.floor(x + 0.5)


# ------------------------------------------------------------------ the defaults

def test_default_settings_load(settings):
    assert settings.class_rule.a_min == 30000 and settings.class_rule.b_min == 5000
    assert settings.orders.stuck_days == 14 and settings.time.as_of is None
    assert settings.alerts.sla_compliance_min == 0.9
    assert settings.alerts.visit_compliance_min == 0.8
    assert settings.alerts.revenue_drop == 0.30
    assert settings.care_themes == {1: "reward", 2: "communicate", 3: "upgrade", 4: "optimize"}


def test_sla_targets_are_the_table_of_metrics_md(settings):
    assert settings.sla.response_hours == {1: {"A": 1, "B": 2, "C": 4}, 2: {"A": 2, "B": 4, "C": 8},
                                           3: {"A": 4, "B": 8, "C": 24}}
    assert settings.sla.resolve_hours == {1: {"A": 4, "B": 8, "C": 24}, 2: {"A": 24, "B": 48, "C": 72},
                                          3: {"A": 48, "B": 72, "C": 120}}
    assert (settings.sla.followup_hours, settings.sla.at_risk_share, settings.sla.repeat_days) == (72, 0.75, 30)


def test_visit_standard_c_class_has_no_monthly_count(settings):
    std = settings.visit_standard
    assert std.counted_kinds == ("visit", "care")
    assert (std.by_class["A"].per_month, std.by_class["A"].per_quarter) == (2, 6)
    assert (std.by_class["B"].per_month, std.by_class["B"].per_quarter) == (1, 3)
    assert (std.by_class["C"].per_month, std.by_class["C"].per_quarter) == (None, 1)


def test_suggested_class_thresholds_are_inclusive(settings):
    rule = settings.class_rule
    assert [rule.suggest(x) for x in (30000, 29999.99, 5000, 4999, 0)] == ["A", "B", "B", "C", "C"]


def test_score_weights_sum_to_one(settings):
    assert settings.score_weights == {"revenue_growth": 0.30, "member_churn": 0.20, "visit_compliance": 0.20,
                                      "sla_resolution": 0.20, "satisfaction": 0.10}
    assert sum(settings.score_weights.values()) == pytest.approx(1)


def test_public_holidays_and_weekend_workdays_of_2026(settings):
    bh = settings.business_hours
    assert not bh.enabled and bh.workdays == (1, 2, 3, 4, 5)
    assert (bh.start, bh.end) == (dt.time(9), dt.time(18))
    assert len(bh.holidays) == 33 and len(bh.extra_workdays) == 6
    assert not bh.is_workday(dt.date(2026, 10, 1))  # National Day, a Thursday
    assert bh.is_workday(dt.date(2026, 2, 14))  # a Saturday worked before the Spring Festival
    assert bh.is_workday(dt.date(2026, 3, 2)) and not bh.is_workday(dt.date(2026, 3, 7))  # Monday, Saturday
    assert all(dt.date(2026, 1, 1) <= d <= dt.date(2026, 12, 31) for d in bh.holidays + bh.extra_workdays)
    assert all(d.isoweekday() >= 6 for d in bh.extra_workdays)


def test_staffing_levers_default_to_no_growth(settings):
    s = settings.staffing
    assert (s.group_growth, s.member_growth, s.attrition_per_year, s.months_to_hire) == (0, 0, 0.15, 3)


# ------------------------------------------------------------------ capacity

def test_capacity_table_has_one_row_per_band_and_class(settings):
    cap = settings.tables()["cfg_capacity"]
    assert len(cap) == 21
    row = cap[(cap["class"] == "A") & (cap["min_members"] == 201)].iloc[0]
    assert (row["max_members"], row["star_level"], row["cap_low"], row["cap_high"]) == (300, 3, 8, 10)
    assert list(cap[cap["class"] == "B"]["min_members"]) == [0, 51, 101, 201, 301, 501, 1001]
    last = cap[cap["band"] == 7]
    assert last["max_members"].isna().all()
    assert list(last["cap_low"]) == [2, 3, 5] and list(last["cap_high"]) == [3, 5, 8]


def test_capacity_lookup_matches_the_worked_example(settings):
    # metrics.md: 412 A-class groups averaging 210 members need 41–52 three-star managers.
    low, high = settings.capacity.lookup("A", 210)
    assert (low, high) == (8, 10)
    assert (half_up(412 / high), half_up(412 / low)) == (41, 52)


@pytest.mark.parametrize("avg_members, band", [(0, 1), (50, 1), (50.4, 2), (100, 2), (1000, 6), (1000.5, 7), (5000, 7)])
def test_fractional_averages_fall_in_the_band_above_the_previous_max(settings, avg_members, band):
    holding = [b.band for b in settings.capacity.bands if b.holds(avg_members)]
    assert holding == [band]


# ------------------------------------------------------------------ management model

def test_default_model_matrix_recommends_parallel(settings):
    mm = settings.model_matrix
    assert len(mm.variables) == 6
    assert sum(v.weight for v in mm.variables) == pytest.approx(1)
    # support: .25×2 + .2×3 + .2×3 + .1×3 + .15×2 + .1×3 = 2.60, likewise 4.15 and 3.25
    assert mm.totals() == {"support": 2.6, "parallel": 4.15, "vertical": 3.25}
    assert mm.recommended() == "parallel"
    assert mm.strategy == {"support": "steady", "parallel": "leap", "vertical": "catch_up"}


def test_suggest_turns_a_measured_value_into_a_score(settings):
    base = next(v for v in settings.model_matrix.variables if v.key == "base_scale")
    assert base.suggest.indicator == "active_groups"
    assert [base.suggest.level(x) for x in (99, 100, 450, 999, 1000)] == [1, 2, 3, 4, 5]
    assert base.suggest.score(450, "parallel") == 3 and base.suggest.score(1200, "support") == 1
    assert base.suggest.score(None, "support") is None
    measured = [v.key for v in settings.model_matrix.variables if v.suggest]
    assert "provincial_support" not in measured and len(measured) == 5


# ------------------------------------------------------------------ SQL shapes

def test_sql_params_are_scalars_duckdb_can_bind(settings):
    params = settings.sql_params()
    assert params["class_a_min"] == 30000 and params["class_b_min"] == 5000
    assert params["followup_hours"] == 72 and params["stuck_days"] == 14 and params["repeat_days"] == 30
    assert params["revenue_drop"] == 0.30 and params["at_risk_share"] == 0.75
    assert params["sla_compliance_min"] == 0.9 and params["visit_compliance_min"] == 0.8
    assert sum(v for k, v in params.items() if k.startswith("w_")) == pytest.approx(1)
    # visit_kinds and high_value_tiers are the lists, for `= any($…)`; as_of is the query layer's to resolve.
    assert [k for k, v in params.items() if isinstance(v, (list, dict, tuple))] == ["visit_kinds", "high_value_tiers"]
    assert "as_of" not in params
    row = duckdb.connect().execute(
        "select $class_a_min, $business_hours_start, 'care' = any($visit_kinds)",
        {k: params[k] for k in ("class_a_min", "business_hours_start", "visit_kinds")}).fetchone()
    assert row == (30000, dt.time(9), True)


def test_tables_register_in_duckdb_with_nulls_where_open(settings):
    con = duckdb.connect()
    for name, frame in settings.tables().items():
        con.register(name, frame)
    assert con.execute("select count(*) from cfg_sla_target").fetchone() == (9,)
    assert con.execute("select response_hours, resolve_hours from cfg_sla_target "
                       "where class = 'B' and severity = 2").fetchone() == (4, 48)
    assert con.execute("select per_month is null, per_quarter from cfg_visit_standard "
                       "where class = 'C'").fetchone() == (True, 1)
    assert con.execute("select cap_low, cap_high from cfg_capacity where class = 'A' and 210 > min_members - 1 "
                       "and 210 <= coalesce(max_members, 1e18)").fetchall() == [(8, 10)]
    assert con.execute("select theme from cfg_care_theme where quarter = 3").fetchone() == ("upgrade",)
    assert con.execute("select weight from cfg_score_weight where component = 'member_churn'").fetchone() == (0.2,)
    assert con.execute("select is_workday from cfg_holiday where day = date '2026-10-10'").fetchone() == (True,)
    assert con.execute("select count(*) from cfg_holiday where not is_workday").fetchone() == (33,)
    assert sorted(r[0] for r in con.execute("select kind from cfg_visit_kind").fetchall()) == ["care", "visit"]


# ------------------------------------------------------------------ bad values

BAD_EDITS = [
    # (old text, new text, dotted key the message must name)
    ("2 = { A = 2, B = 4, C = 8 }", "2 = { A = 2, B = -1, C = 8 }", "sla.response_hours.2.B"),
    ("2 = { A = 24, B = 48, C = 72 }", "2 = { A = 24, B = 48, D = 72 }", "sla.resolve_hours.2.D"),
    ("2 = { A = 24, B = 48, C = 72 }", "2 = { A = 24, B = 48, D = 72 }", "sla.resolve_hours.2.C"),
    ("3 = { A = 48, B = 72, C = 120 }", "4 = { A = 48, B = 72, C = 120 }", "sla.resolve_hours.4"),
    ("followup_hours = 72\n", "", "sla.followup_hours"),
    ("at_risk_share = 0.75", "at_risk_share = 1.5", "sla.at_risk_share"),
    ("repeat_days = 30", "repeat_dayz = 30", "sla.repeat_dayz"),
    ("a_min = 30000", 'a_min = "lots"', "class_rule.a_min"),
    ("b_min = 5000", "b_min = 50000", "class_rule.a_min"),
    ("C = { per_quarter = 1 }", "C = { per_quarter = 0 }", "visit_standard.C.per_quarter"),
    ("C = { per_quarter = 1 }", "C = { per_quarter = 1 }\nD = { per_quarter = 1 }", "visit_standard.D"),
    ('counted_kinds = ["visit", "care"]', 'counted_kinds = ["visit", "call"]', "visit_standard.counted_kinds"),
    ('q3 = "upgrade"', 'q3 = "party"', "care_themes.q3"),
    ("satisfaction = 0.10", "satisfaction = 0.05", "score_weights"),
    ("member_churn = 0.20", "member_churn = -0.20", "score_weights.member_churn"),
    ("a = [8, 10]", "a = [10, 8]", "capacity.bands.4.a"),
    ("max_members = 300", "max_members = 150", "capacity.bands.4.max_members"),
    ("# > 1000，不封顶 open-ended", "max_members = 2000", "capacity.bands.7.max_members"),
    ("scores = { support = 2, parallel = 5, vertical = 3 }", "scores = { support = 2, parallel = 6, vertical = 3 }",
     "model_matrix.variables.base_scale.scores.parallel"),
    ("weight = 0.25", "weight = 0.30", "model_matrix.variables.*.weight"),
    ("thresholds = [100, 300, 600, 1000]", "thresholds = [100, 600, 300, 1000]",
     "model_matrix.variables.base_scale.suggest.thresholds"),
    ('vertical = "catch_up"', 'vertical = "sprint"', "model_matrix.strategy.vertical"),
    ("\nenabled = false\n", '\nenabled = "no"\n', "business_hours.enabled"),
    ("workdays = [1, 2, 3, 4, 5]", "workdays = [1, 2, 8]", "business_hours.workdays"),
    ('start = "09:00"', 'start = "9am"', "business_hours.start"),
    ('end = "18:00"', 'end = "08:00"', "business_hours.end"),
    ('"2026-10-07",', '"2026-13-07",', "business_hours.holidays.33"),
    ('["2026-01-04", "2026-02-14"', '["2026-01-03", "2026-02-14"', "business_hours.extra_workdays"),
    ("sla_compliance_min = 0.9", "sla_compliance_min = 90", "alerts.sla_compliance_min"),
    ("revenue_drop = 0.30", "revenue_drop = 0", "alerts.revenue_drop"),
    ("stuck_days = 14", "stuck_days = 0", "orders.stuck_days"),
    ('as_of = ""', 'as_of = "yesterday"', "time.as_of"),
    ("attrition_per_year = 0.15", "attrition_per_year = 1.5", "staffing.attrition_per_year"),
    ("months_to_hire = 3", "months_to_hire = 2.5", "staffing.months_to_hire"),
    ('snapshot_month = ""', 'snapshot_month = "2025-13"', "retention.snapshot_month"),
    ('snapshot_month = ""', 'snapshot_month = "2025年12月"', "retention.snapshot_month"),
    ('high_value_tiers = ["diamond", "gold"]', 'high_value_tiers = ["diamond", "platinum"]', "warnings.high_value_tiers"),
    ('high_value_tiers = ["diamond", "gold"]', 'high_value_tiers = []', "warnings.high_value_tiers"),
    ("revenue_slide = 0.20", "revenue_slide = 20", "warnings.revenue_slide"),
    ("revenue_slide = 0.20", "revenue_slide = 0", "warnings.revenue_slide"),
    ("expiry_days = 90", "expiry_days = 0", "warnings.expiry_days"),
    ("expiry_days = 90", "expiry_days = 30.5", "warnings.expiry_days"),
    ("aging_months = [1, 3, 6]", "aging_months = [1, 6, 3]", "warnings.aging_months"),
    ("aging_months = [1, 3, 6]", "aging_months = [0, 3, 6]", "warnings.aging_months"),
    ("aging_months = [1, 3, 6]", "aging_months = [1, 3]", "warnings.aging_months"),
]


def test_the_new_keys_read_as_documented(settings):
    assert settings.retention.snapshot_month is None
    assert settings.with_overrides({"retention.snapshot_month": "2025-11"}).retention.snapshot_month == dt.date(2025, 11, 1)
    w = settings.warnings
    assert (w.high_value_tiers, w.revenue_slide, w.expiry_days, w.aging_months) == (("diamond", "gold"), 0.2, 90, (1, 3, 6))
    params = settings.sql_params()
    assert (params["aging_1"], params["aging_2"], params["aging_3"], params["expiry_days"]) == (1, 3, 6, 90)


@pytest.mark.parametrize("old, new, key", BAD_EDITS, ids=[f"{e[2]}:{e[1][:24]}" for e in BAD_EDITS])
def test_a_bad_value_is_named_by_file_and_dotted_key(edited, old, new, key):
    with pytest.raises(SettingsError) as err:
        load_settings(edited((old, new)))
    assert f"settings.toml: {key} " in str(err.value)


def test_the_message_reads_as_the_spec_example(edited):
    with pytest.raises(SettingsError) as err:
        load_settings(edited(("2 = { A = 2, B = 4, C = 8 }", "2 = { A = 2, B = -1, C = 8 }")))
    assert str(err.value) == "settings.toml: sla.response_hours.2.B must be a positive number, got -1"


def test_every_problem_is_reported_at_once(edited):
    with pytest.raises(SettingsError) as err:
        load_settings(edited(("stuck_days = 14", "stuck_days = -3"), ("a = [8, 10]", "a = [10, 8]")))
    assert len(err.value.problems) == 2
    assert str(err.value).count("settings.toml: ") == 2


def test_a_toml_syntax_error_is_a_settings_error(edited):
    with pytest.raises(SettingsError, match=r"settings.toml: is not valid TOML"):
        load_settings(edited(("stuck_days = 14", "stuck_days = ")))


def test_a_missing_file_is_a_settings_error(tmp_path):
    with pytest.raises(SettingsError, match="file not found"):
        load_settings(tmp_path / "nowhere.toml")


def test_the_kam_settings_variable_chooses_the_file(edited, monkeypatch):
    monkeypatch.setenv("KAM_SETTINGS", str(edited(("stuck_days = 14", "stuck_days = 21"))))
    assert load_settings().orders.stuck_days == 21


# ------------------------------------------------------------------ what-if, version, saving

def test_overrides_give_a_new_validated_settings(settings):
    changed = settings.with_overrides({"sla.followup_hours": 48, "capacity.bands.4": {"a": [9, 11]},
                                       "model_matrix.variables.competition": {"scores": {"support": 5}},
                                       "score_weights": {"revenue_growth": 0.25, "satisfaction": 0.15}})
    assert changed.sla.followup_hours == 48 and settings.sla.followup_hours == 72
    assert changed.capacity.bands[3].ranges["A"] == (9, 11) and changed.capacity.bands[3].max_members == 300
    competition = next(v for v in changed.model_matrix.variables if v.key == "competition")
    assert competition.scores == {"support": 5, "parallel": 4, "vertical": 4}
    assert changed.score_weights["member_churn"] == 0.20
    assert changed.version != settings.version


def test_a_bad_override_names_its_key(settings):
    with pytest.raises(SettingsError, match=r"settings.toml \(with overrides\): score_weights must sum to 1"):
        settings.with_overrides({"score_weights.satisfaction": 0.5})
    with pytest.raises(SettingsError, match=r"capacity.bands.9 is not a known setting"):
        settings.with_overrides({"capacity.bands.9.a": [1, 2]})


def test_version_is_stable_and_follows_the_values(settings, edited):
    assert load_settings(DEFAULT_PATH).version == settings.version
    assert len(settings.version) == 12
    # Comments do not change what the rules are, so they do not change the version.
    assert load_settings(edited(("[orders]", "# a planner's note\n[orders]"))).version == settings.version
    assert load_settings(edited(("stuck_days = 14", "stuck_days = 15"))).version != settings.version


def test_save_writes_toml_that_loads_back_the_same(settings, tmp_path):
    changed = settings.with_overrides({"time.as_of": "2026-06-30 18:00", "business_hours.enabled": True})
    path = changed.save(tmp_path / "mine.toml")
    again = load_settings(path)
    assert again == changed and again.version == changed.version
    assert again.time.as_of == dt.datetime(2026, 6, 30, 18, 0)
    assert tomllib.loads(dumps_toml(settings.raw)) == settings.raw


def test_settings_can_be_built_from_a_dict(settings):
    assert Settings.from_dict(settings.as_dict()) == settings
