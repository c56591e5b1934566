"""Staffing (metrics.md: Staffing): the worked example, rounding, capacity bands, the SQL table and the what-if."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from conftest import write_text
from kam.planning import staffing as sf
from kam.figures.reports import run_report
from kam.figures.settings import SettingsError, load_settings
from kam.storage.warehouse import refresh
from planning_fixture import (BILLING_HEADER, GROUP_HEADER, MANAGER_HEADER, MEMBER_HEADER, group, warehouse,
                              write_planning_folder)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_planning_folder(tmp_path_factory.mktemp("planning"))


@pytest.fixture(scope="module")
def wh(folder):
    return warehouse(folder)


def rows(frame: pd.DataFrame) -> dict:
    return {(r["branch_id"], r["class"]): r for r in frame.to_dict("records")}


# ---------------------------------------------------------------- the definition

def test_worked_example_412_groups_of_210_members_need_41_to_52_three_star_managers():
    # 210 members is in the 201–300 band: A 8–10. 412 ÷ 10 = 41.2 → 41; 412 ÷ 8 = 51.5 → 52.
    result = sf.calculate(412, 210, "A", load_settings())
    assert (result["capacity_low"], result["capacity_high"]) == (8, 10)
    assert (result["required_low"], result["required_high"]) == (41, 52)
    assert result["star_level"] == 3


@pytest.mark.parametrize("x,expected", [(51.5, 52), (0.5, 1), (1.5, 2), (2.5, 3), (41.2, 41), (2.4999, 2), (0, 0)])
def test_round_half_up_rounds_every_half_up_not_to_even(x, expected):
    assert sf.round_half_up(x) == expected


def test_needed_range_rounds_halves_up_at_both_ends():
    # 21 ÷ 14 = 1.5 → 2 and 21 ÷ 18 = 1.17 → 1; 7 ÷ 14 = 0.5 → 1 and 7 ÷ 18 = 0.39 → 0; 45 ÷ 18 = 2.5 → 3.
    assert sf.needed_range(21, 14, 18) == (1, 2)
    assert sf.needed_range(7, 14, 18) == (0, 1)
    assert sf.needed_range(45, 10, 18) == (3, 5)
    assert sf.needed_range(0, 14, 18) == (0, 0)


# (average members, (A low, A high), (B …), (C …)) from the default capacity table
EDGES = [(50, (14, 18), (21, 27), (35, 45)), (51, (12, 15), (18, 22), (30, 38)),
         (100, (12, 15), (18, 22), (30, 38)), (101, (10, 12), (15, 18), (25, 30)),
         (200, (10, 12), (15, 18), (25, 30)), (201, (8, 10), (12, 15), (20, 25)),
         (300, (8, 10), (12, 15), (20, 25)), (301, (6, 8), (9, 12), (15, 20)),
         (500, (6, 8), (9, 12), (15, 20)), (501, (4, 6), (6, 9), (10, 15)),
         (1000, (4, 6), (6, 9), (10, 15)), (1001, (2, 3), (3, 5), (5, 8)),
         (50.5, (12, 15), (18, 22), (30, 38)),  # an average between bands belongs to the upper one
         (0, (14, 18), (21, 27), (35, 45))]


@pytest.mark.parametrize("members,a,b,c", EDGES)
def test_capacity_bands_at_their_edges(members, a, b, c):
    settings = load_settings()
    for cls, expected in zip("ABC", (a, b, c)):
        result = sf.calculate(10, members, cls, settings)
        assert (result["capacity_low"], result["capacity_high"]) == expected, (members, cls)


def test_capacity_bands_at_their_edges_in_sql(tmp_path):
    # One branch per edge, each with one C group of exactly that many members (E505 has two groups,
    # 50 and 51 members: average 50.5, in the 51–100 band).
    sizes = {f"E{m}": [m] for m in (50, 51, 100, 101, 200, 201, 300, 301, 500, 501, 1000, 1001)}
    sizes["E505"] = [50, 51]
    folder = tmp_path / "edges"
    folder.mkdir()
    write_text(folder / "branches.csv", ["branch_id", "branch_name", "mgmt_model"],
               [[b, b, "support"] for b in sizes])
    write_text(folder / "managers.csv", MANAGER_HEADER, [["M1", "m", "E50", "1", "staff", "2020-01-01", ""]])
    groups, members = [], []
    for b, counts in sizes.items():
        for i, n in enumerate(counts):
            gid = f"{b}_{i}"
            groups.append(group(gid, b, "C", "M1"))
            members += [[f"{b}{i}x{k}", gid, "none", "2020-01-01", ""] for k in range(n)]
    write_text(folder / "groups.csv", GROUP_HEADER, groups)
    write_text(folder / "members.csv", MEMBER_HEADER, members)
    write_text(folder / "billing.csv", BILLING_HEADER, [["202606", "E50_0", "", "voice", "1"]])
    refresh(folder)
    table = rows(run_report(warehouse(folder), "staffing"))
    expected_c = {m: c for m, _, _, c in EDGES}
    for b, counts in sizes.items():
        m = sum(counts) / len(counts)
        row = table[(b, "C")]
        assert row["avg_members"] == m
        assert (row["capacity_low"], row["capacity_high"]) == expected_c[m], b


# ---------------------------------------------------------------- the `kam report staffing` table (SQL)

def test_staffing_report_has_the_contract_columns(wh):
    frame = run_report(wh, "staffing")
    for column in ("branch_id", "class", "groups", "avg_members", "capacity_low", "capacity_high", "required_low",
                   "required_high", "current", "gap"):
        assert column in frame.columns
    assert len(frame) == 6  # 2 branches × 3 classes, also where a branch has no groups of a class


def test_staffing_report_figures_worked_out_by_hand(wh):
    # Worked out in tests/planning_fixture.py.
    table = rows(run_report(wh, "staffing"))
    # (groups, avg, low, high, required_low, required_high, current, gap, managers short, managers surplus):
    # a shortfall counts positive (SZ B: 2 needed at least, 1 in post → 1 short), and so does a surplus
    # (GZ C: none needed, 1 in post → 1 surplus); a cell is never both.
    expected = {
        ("GZ", "A"): (21, 0, 14, 18, 1, 2, 2, "within", 0, 0),
        ("GZ", "C"): (1, 1, 35, 45, 0, 0, 1, "surplus", 0, 1),
        ("SZ", "A"): (7, 0, 14, 18, 0, 1, 0, "within", 0, 0),
        ("SZ", "B"): (54, 0, 21, 27, 2, 3, 1, "short", 1, 0),
    }
    for key, (n, avg, low, high, rl, rh, current, gap, short, surplus) in expected.items():
        r = table[key]
        assert (r["groups"], r["avg_members"], r["capacity_low"], r["capacity_high"]) == (n, avg, low, high), key
        assert (r["required_low"], r["required_high"], r["current"], r["gap"], r["short_managers"],
                r["surplus_managers"]) == (rl, rh, current, gap, short, surplus), key
    # no groups: nothing needed, and nobody employed of that star either
    for key in (("GZ", "B"), ("SZ", "C")):
        r = table[key]
        assert (r["groups"], r["required_low"], r["required_high"], r["current"], r["gap"]) == (0, 0, 0, 0, "within")


def test_current_managers_are_those_employed_at_the_as_of_time(wh, folder):
    # At 2026-06-30 12:00: M1 and M8 (leaves 07-01) count; M6 (hired 07-01) and M7 (left 06-30) do not.
    assert rows(run_report(wh, "staffing"))[("GZ", "A")]["current"] == 2
    # A day earlier M7 is still employed and counts; M6 still not.
    earlier = warehouse(folder, **{"time.as_of": "2026-06-29 12:00"})
    assert rows(run_report(earlier, "staffing"))[("GZ", "A")]["current"] == 3


def test_province_total_sums_the_branches(wh):
    total = wh.query("pages/staffing_total", wh.period_params(wh.default_period())).set_index("class")
    # A: 21 + 7 groups, 1 + 0 to 2 + 1 managers, 2 current; B: 54, 2–3, 1 → short 1; C: 1, 0–0, 1 → surplus 1.
    assert tuple(total.loc["A", ["groups", "required_low", "required_high", "current", "gap"]]) == (28, 1, 3, 2, "within")
    assert tuple(total.loc["B", ["groups", "required_low", "required_high", "current", "gap", "short_managers"]]) == \
        (54, 2, 3, 1, "short", 1)
    assert tuple(total.loc["C", ["current", "gap", "surplus_managers"]]) == (1, "surplus", 1)


def test_the_viewers_scope_limits_the_table(wh):
    from kam.figures.query import Scope
    frame = run_report(wh, "staffing", scope=Scope(branches=("SZ",)))
    assert set(frame.branch_id) == {"SZ"}


# ---------------------------------------------------------------- what-if

def no_attrition(settings, **changes) -> sf.Levers:
    levers = sf.Levers.defaults(settings)
    levers.attrition_per_year = 0.0
    for k, v in changes.items():
        setattr(levers, k, v)
    return levers


@pytest.fixture(scope="module")
def base(wh):
    return sf.load_base(wh, wh.default_period())


def test_a_scenario_without_levers_gives_the_sql_table(wh, base):
    projected = sf.project(base, no_attrition(wh.settings), wh.settings)
    sql = run_report(wh, "staffing")
    columns = ["branch_id", "class", "required_low", "required_high", "current", "gap", "short_managers",
               "surplus_managers"]
    assert projected[columns].to_dict("records") == sql[columns].to_dict("records")


def test_group_growth_attrition_and_months_to_hire_by_hand(wh, base):
    # GZ A: 21 groups growing 200 % a year for 12 months → 63; 63 ÷ 18 = 3.5 → 4, 63 ÷ 14 = 4.5 → 5.
    # Current 2 → 2 short. Attrition 50 %: 2 × 0.5 = 1 leaver, 1 stays → hires 4 − 1 = 3.
    # Posts open 3 months before the 12-month horizon: 2026-06 + 9 months = 2027-03.
    levers = no_attrition(wh.settings, group_growth={"A": 2.0, "B": 0.0, "C": 0.0}, attrition_per_year=0.5,
                          months_to_hire=3, horizon_months=12)
    r = rows(sf.project(base, levers, wh.settings))[("GZ", "A")]
    assert (r["groups"], r["required_low"], r["required_high"]) == (63, 4, 5)
    assert (r["gap"], r["short_managers"], r["surplus_managers"], r["leavers"], r["hires"], r["open_by"]) == \
        ("short", 2, 0, 1.0, 3, "2027-03")
    # SZ A: 7 → 21 groups: 21 ÷ 18 → 1, 21 ÷ 14 = 1.5 → 2; nobody to lose, 1 to hire.
    r = rows(sf.project(base, levers, wh.settings))[("SZ", "A")]
    assert (r["required_low"], r["required_high"], r["hires"]) == (1, 2, 1)


def test_growth_compounds_over_a_horizon_shorter_than_a_year(wh, base):
    # 21 × 3^(6/12) = 36.37 groups: 36.37 ÷ 18 = 2.02 → 2; 36.37 ÷ 14 = 2.6 → 3.
    levers = no_attrition(wh.settings, group_growth={"A": 2.0, "B": 0.0, "C": 0.0}, horizon_months=6)
    r = rows(sf.project(base, levers, wh.settings))[("GZ", "A")]
    assert r["groups"] == round(21 * math.sqrt(3), 1)
    assert (r["required_low"], r["required_high"]) == (2, 3)


def test_member_growth_moves_groups_into_another_capacity_band():
    # 412 A groups of 150 members (band 101–200: 10–12 → 412 ÷ 12 = 34.3 → 34, 412 ÷ 10 = 41.2 → 41);
    # members +40 % → 210 (band 201–300: 8–10) → the worked example, 41–52.
    settings = load_settings()
    report = pd.DataFrame([{"branch_id": "X", "branch_name": "X", "class": "A", "star_level": 3, "current": 45}])
    cells = pd.DataFrame([{"branch_id": "X", "class": "A", "suggested_class": "A", "groups": 412,
                           "members": 412 * 150}])
    base = sf.Base(report, cells, None)
    now = sf.project(base, no_attrition(settings), settings).iloc[0]
    assert (now["required_low"], now["required_high"], now["gap"]) == (34, 41, "surplus")
    grown = sf.project(base, no_attrition(settings, member_growth=0.4), settings).iloc[0]
    assert (grown["avg_members"], grown["capacity_low"], grown["capacity_high"]) == (210, 8, 10)
    assert (grown["required_low"], grown["required_high"], grown["gap"], grown["short_managers"],
            grown["surplus_managers"]) == (41, 52, "within", 0, 0)


def two_branches() -> sf.Base:
    """X and Y, each 100 class-A groups of 150 members (band 101–200: A 10–12 groups a manager):
    100 ÷ 12 = 8.33 → 8; 100 ÷ 10 = 10 → 8–10 three-star managers each. X has 7 in post, Y 14."""
    report = pd.DataFrame([{"branch_id": b, "branch_name": b, "class": "A", "star_level": 3, "current": n}
                           for b, n in (("X", 7), ("Y", 14))])
    cells = pd.DataFrame([{"branch_id": b, "class": "A", "suggested_class": "A", "groups": 100, "members": 15_000}
                          for b in ("X", "Y")])
    return sf.Base(report, cells, None)


def test_a_shortfall_and_a_surplus_both_count_positive_and_add_up_by_branch():
    settings = load_settings()
    table = rows(sf.project(two_branches(), no_attrition(settings), settings))
    # X: 8–10 needed, 7 in post → 1 short; Y: 8–10, 14 → 4 surplus.
    assert (table[("X", "A")]["gap"], table[("X", "A")]["short_managers"], table[("X", "A")]["surplus_managers"]) == \
        ("short", 1, 0)
    assert (table[("Y", "A")]["gap"], table[("Y", "A")]["short_managers"], table[("Y", "A")]["surplus_managers"]) == \
        ("surplus", 0, 4)
    # Province: 16–20 needed, 21 in post → surplus as a whole, yet 1 short in X: Y's spare managers serve Y.
    total = sf.totals(sf.project(two_branches(), no_attrition(settings), settings)).iloc[0]
    assert (total["required_low"], total["required_high"], total["current"], total["gap"]) == (16, 20, 21, "surplus")
    assert (total["short_managers"], total["surplus_managers"]) == (1, 4)


def test_twenty_percent_growth_raises_the_need_and_uses_up_the_surplus_first():
    # +20 % groups in a year: 120 groups each. 120 ÷ 12 = 10; 120 ÷ 10 = 12 → 10–12 needed in X and in Y.
    # X: 7 in post → 3 short (was 1); Y: 14 → 2 surplus (was 4). Province 20–24, 21 in post → within.
    settings = load_settings()
    grow = no_attrition(settings, group_growth={"A": 0.2, "B": 0.2, "C": 0.2})
    table = rows(sf.project(two_branches(), grow, settings))
    assert (table[("X", "A")]["groups"], table[("X", "A")]["required_low"], table[("X", "A")]["required_high"]) == \
        (120, 10, 12)
    assert (table[("X", "A")]["short_managers"], table[("Y", "A")]["short_managers"]) == (3, 0)
    assert table[("Y", "A")]["surplus_managers"] == 2
    total = sf.totals(sf.project(two_branches(), grow, settings)).iloc[0]
    assert (total["required_low"], total["required_high"], total["gap"], total["short_managers"],
            total["surplus_managers"]) == (20, 24, "within", 3, 2)
    compared = sf.compare(sf.project(two_branches(), no_attrition(settings), settings),
                          sf.project(two_branches(), grow, settings)).set_index("branch_id")
    assert (compared.loc["X", "delta_required_low"], compared.loc["X", "delta_short_managers"]) == (2, 2)
    assert (compared.loc["Y", "delta_short_managers"], compared.loc["Y", "delta_surplus_managers"]) == (0, -2)


def test_twenty_percent_growth_is_lost_in_rounding_on_small_books(wh, base):
    # Why a 20 % growth may change no shortage: on the planning folder every need rounds back to what it was.
    # GZ A 21 → 25.2: 25.2 ÷ 18 = 1.4 → 1, 25.2 ÷ 14 = 1.8 → 2 (1–2, as before); SZ A 7 → 8.4: 0.47 → 0,
    # 0.6 → 1 (0–1); SZ B 54 → 64.8: 64.8 ÷ 27 = 2.4 → 2, 64.8 ÷ 21 = 3.09 → 3 (2–3); GZ C 1 → 1.2: 0–0.
    grow = no_attrition(wh.settings, group_growth={"A": 0.2, "B": 0.2, "C": 0.2})
    compared = sf.compare(sf.project(base, no_attrition(wh.settings), wh.settings),
                          sf.project(base, grow, wh.settings))
    assert not compared.changed.any()
    # 50 % is enough to move SZ B: 81 ÷ 27 = 3, 81 ÷ 21 = 3.86 → 4 → 3–4, 1 in post → 2 short (was 1).
    more = rows(sf.project(base, no_attrition(wh.settings, group_growth={"A": 0, "B": 0.5, "C": 0}), wh.settings))
    assert (more[("SZ", "B")]["required_low"], more[("SZ", "B")]["required_high"],
            more[("SZ", "B")]["short_managers"]) == (3, 4, 2)


def test_scenarios_side_by_side_by_star_level():
    settings = load_settings()
    now = no_attrition(settings)
    grow = no_attrition(settings, group_growth={"A": 0.2, "B": 0.0, "C": 0.0}, months_to_hire=2)
    frame = sf.side_by_side(two_branches(), {"now": now, "grow": grow}, settings)
    three = frame[frame.star_level == 3]
    # The two scenarios' three-star rows next to each other, in the order given (numbers as above).
    assert three.scenario.tolist() == ["now", "grow"]
    assert three[["required_low", "required_high", "current", "short_managers", "surplus_managers"]].values.tolist() \
        == [[16, 20, 21, 1, 4], [20, 24, 21, 3, 2]]
    # hires (no attrition): X needs 8 now, 10 grown, and keeps its 7 → 1, then 3; Y has 14, enough → 0
    assert three.hires.tolist() == [1, 3]
    levers = sf.lever_table({"now": now, "grow": grow}, settings).set_index("scenario")
    assert (levers.loc["grow", "growth_A"], levers.loc["grow", "growth_B"], levers.loc["grow", "months_to_hire"]) == \
        (0.2, 0.0, 2)
    assert levers.loc["now", "visits_A"] == settings.visit_standard.by_class["A"].per_quarter
    assert not levers.capacity_edited.any()


def test_moving_groups_between_classes(wh, base):
    # Half of SZ's 54 B groups become A: B 27 → 27 ÷ 27 = 1, 27 ÷ 21 = 1.29 → 1 → 1–1, current 1, within.
    # A 7 + 27 = 34 → 34 ÷ 18 = 1.89 → 2, 34 ÷ 14 = 2.43 → 2 → 2–2, current 0 → 2 short.
    table = rows(sf.project(base, no_attrition(wh.settings, moves={"B>A": 0.5}), wh.settings))
    assert (table[("SZ", "B")]["required_low"], table[("SZ", "B")]["required_high"], table[("SZ", "B")]["gap"]) == \
        (1, 1, "within")
    assert (table[("SZ", "A")]["groups"], table[("SZ", "A")]["required_low"], table[("SZ", "A")]["short_managers"]) == \
        (34, 2, 2)


def test_every_group_taking_its_suggested_class(wh, base):
    # All 22 GZ groups are suggested C (revenue far below 5,000): 1 member over 22 groups, band ≤ 50,
    # C 35–45: 22 ÷ 45 = 0.49 → 0; 22 ÷ 35 = 0.63 → 1. No A groups are left: 0–0, 2 three-star → surplus 2.
    table = rows(sf.project(base, no_attrition(wh.settings, apply_suggested=True), wh.settings))
    assert (table[("GZ", "C")]["groups"], table[("GZ", "C")]["required_low"], table[("GZ", "C")]["required_high"]) == \
        (22, 0, 1)
    assert (table[("GZ", "A")]["required_high"], table[("GZ", "A")]["gap"],
            table[("GZ", "A")]["surplus_managers"]) == (0, "surplus", 2)


def test_a_stricter_visit_standard_shrinks_capacity(wh, base):
    # A visited 12 times a quarter instead of 6: capacity × 6/12 → 7–9; 21 ÷ 9 = 2.33 → 2, 21 ÷ 7 = 3.
    levers = no_attrition(wh.settings, visits_per_quarter={"A": 12, "B": 3, "C": 1})
    r = rows(sf.project(base, levers, wh.settings))[("GZ", "A")]
    assert (r["capacity_low"], r["capacity_high"], r["required_low"], r["required_high"]) == (7, 9, 2, 3)


def test_an_edited_capacity_table_is_used_and_checked(wh, base):
    # One open band, A 10–20: 21 ÷ 20 = 1.05 → 1; 21 ÷ 10 = 2.1 → 2.
    bands = [{"a": [10, 20], "b": [21, 27], "c": [35, 45]}]
    r = rows(sf.project(base, no_attrition(wh.settings, capacity_bands=bands), wh.settings))[("GZ", "A")]
    assert (r["capacity_low"], r["capacity_high"], r["required_low"], r["required_high"]) == (10, 20, 1, 2)
    with pytest.raises(SettingsError, match=r"capacity\.bands\.1\.a"):
        sf.project(base, no_attrition(wh.settings, capacity_bands=[{"a": [20, 10], "b": [1, 2], "c": [1, 2]}]),
                   wh.settings)


def test_capacity_frame_round_trips_to_the_settings_bands(wh):
    frame = sf.capacity_frame(wh.settings)
    assert frame.iloc[0].tolist()[:3] == [50, 14, 18] and pd.isna(frame.iloc[-1]["max_members"])
    assert sf.bands_from_frame(frame) == wh.settings.raw["capacity"]["bands"]


@pytest.mark.parametrize("change,lever", [({"moves": {"B>A": 0.7, "B>C": 0.5}}, "moves out of class B"),
                                          ({"moves": {"A>A": 0.1}}, "moves.A>A"),
                                          ({"attrition_per_year": 1.5}, "attrition_per_year"),
                                          ({"visits_per_quarter": {"A": 0, "B": 3, "C": 1}}, "visits_per_quarter.A"),
                                          ({"group_growth": {"A": -2, "B": 0, "C": 0}}, "group_growth.A")])
def test_a_lever_out_of_range_is_named(wh, base, change, lever):
    with pytest.raises(sf.LeverError, match=lever.replace(".", r"\.")):
        sf.project(base, no_attrition(wh.settings, **change), wh.settings)


def test_widgets_show_a_scenario_and_give_it_back(wh):
    levers = sf.Levers(group_growth={"A": 0.1, "B": -0.05, "C": 0.0}, member_growth=0.02, apply_suggested=True,
                       moves={"B>A": 0.25}, capacity_bands=[{"a": [10, 20], "b": [21, 27], "c": [35, 45]}],
                       visits_per_quarter={"A": 9.0, "B": 3.0, "C": 1.0}, attrition_per_year=0.2,
                       months_to_hire=4, horizon_months=18)
    values = sf.widget_values(levers)
    assert values["staffing_growth_A"] == pytest.approx(10) and values["staffing_attrition"] == pytest.approx(20)
    back = sf.levers_from_widgets(values, sf.moves_frame(levers), sf.capacity_frame(wh.settings, levers.capacity_bands),
                                  wh.settings)
    for name, value in levers.to_dict().items():
        got = back.to_dict()[name]
        assert (got == pytest.approx(value)) if isinstance(value, (dict, float)) else got == value, name
    # the settings' own capacity table is not stored in a scenario: it keeps following settings.toml
    same = sf.levers_from_widgets(values, sf.moves_frame(levers), sf.capacity_frame(wh.settings), wh.settings)
    assert same.capacity_bands is None
