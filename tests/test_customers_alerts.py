"""Overview alerts fire for the rows that break their rule, say their target, and open those rows marked
(issue 13, point 5). The folder is tests/customers_fixture.py; June 2026, every figure worked out below.

Visit compliance at 06-30 (A needs 2 visits in June, B 1, C 1 in Apr–Jun):
  GZ: G1 2 visits ✓, G2 0 (a received visit does not count) ✗, G3 1 of 2 ✗  → 1/3
  SZ: G5 1 ✓ (G4 closed 06-15, not judged)                                 → 1/1
  FS: G6 none ✗, G7 04-02 ✓                                                 → 1/2
Resolution within SLA of June's tickets: GZ T1 ✓ T2 ✗ T3 ✗ → 1/3; SZ T4 ✓ → 1/1; FS T5 ✗ → 0/1.
Revenue drop (monthly revenue against the three months before, > 30 %): G3 20000 vs 30000 (33 %) and
G5 20000 vs 30000 (33 %); G7 700 vs 1000 is exactly 30 %, no alert; G2 8300 vs 10000 (17 %).
"""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from apptest_pages import open_app_page

from customers_fixture import load
from kam.app import palette
from kam.figures.period import Period
from kam.figures.query import Scope, Warehouse
from kam.figures.settings import load_settings
from kam.i18n import t

JUNE = Period.parse("2026-06")
LANGS = ["zh", "en"]
RED = palette.BAD  # the palette's "bad": below the target


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("customers_alerts") / "exports"
    folder.mkdir()
    load(folder)
    return folder


def alerts(folder, scope=Scope(), **settings):
    wh = Warehouse(folder, load_settings().with_overrides(settings))
    return wh.query("pages/overview_alerts", wh.period_params(JUNE), scope)


def fired(frame, kind: str) -> dict[str, float]:
    rows = frame[frame.alert == kind]
    return dict(zip(rows.branch_id, rows.value))


# ---------------------------------------------------------------- the rule: only the branches below the target

def test_the_visit_alert_fires_only_for_the_branches_below_the_target(folder):
    # target 80 %: GZ 1/3 and FS 1/2 are below it, SZ 1/1 is not
    frame = alerts(folder)
    assert fired(frame, "visit_below") == pytest.approx({"GZ": 1 / 3, "FS": 1 / 2})
    assert set(frame[frame.alert == "visit_below"].threshold) == {0.8}
    # target 50 %: FS at exactly 50 % is not below it; GZ still is
    assert fired(alerts(folder, **{"alerts.visit_compliance_min": 0.5}), "visit_below") == pytest.approx(
        {"GZ": 1 / 3})
    # target 33 %: GZ at 33.3 % is not below it, and no branch is
    assert fired(alerts(folder, **{"alerts.visit_compliance_min": 0.33}), "visit_below") == {}


def test_the_sla_alert_fires_only_for_the_branches_below_the_target(folder):
    # target 90 %: GZ 1/3 and FS 0/1; SZ 1/1 is not below
    assert fired(alerts(folder), "sla_below") == pytest.approx({"GZ": 1 / 3, "FS": 0.0})
    # target 30 %: only FS (0 %) is below it
    assert fired(alerts(folder, **{"alerts.sla_compliance_min": 0.3}), "sla_below") == {"FS": 0.0}


def test_a_regional_head_gets_the_alerts_of_their_branch_only(folder):
    assert fired(alerts(folder, Scope(branches=("SZ",))), "visit_below") == {}
    assert fired(alerts(folder, Scope(branches=("FS",))), "visit_below") == pytest.approx({"FS": 0.5})


def test_the_branches_page_marks_the_same_branches_as_the_alert(folder):
    wh = Warehouse(folder, load_settings())
    marks = wh.query("pages/branches_alerts", wh.period_params(JUNE), Scope())
    below = {(r.alert, r.branch_id): r.below_target for r in marks.itertuples()}
    assert below == {("visit_below", "GZ"): True, ("visit_below", "FS"): True, ("visit_below", "SZ"): False,
                     ("sla_below", "GZ"): True, ("sla_below", "FS"): True, ("sla_below", "SZ"): False}
    assert set(marks.target[marks.kpi == "visit_compliance"]) == {0.8}


def test_the_revenue_drop_rows_are_marked_among_their_branchs_groups(folder):
    wh = Warehouse(folder, load_settings())
    gz = wh.query("pages/branches_groups", wh.period_params(JUNE) | {"branch": "GZ"}, Scope()).set_index("group_id")
    assert gz.revenue_dropped.to_dict() == {"G1": False, "G3": True, "G2": False}
    assert gz.drop_share["G3"] == pytest.approx(1 / 3)    # 20000 a month against 30000
    assert gz.drop_share["G2"] == pytest.approx(0.17)     # 8300 against 10000
    assert gz.drop_share["G1"] == 0                        # 50000 against 50000
    fs = wh.query("pages/branches_groups", wh.period_params(JUNE) | {"branch": "FS"}, Scope()).set_index("group_id")
    assert not fs.revenue_dropped["G7"]  # exactly 30 %: no alert
    assert fs.drop_share["G7"] == pytest.approx(0.3)


# ---------------------------------------------------------------- the pages: links, targets, marked rows

@pytest.fixture
def open_page(folder, monkeypatch):
    monkeypatch.setenv("KAM_DATA", str(folder))

    def run(page: str, lang: str, **query) -> AppTest:
        return open_app_page(page, lang, period="2026-06", **query)
    return run


def table_with(at: AppTest, lang: str, column: str):
    header = t(f"column.{column}", lang)
    return next(df.value for df in at.dataframe if header in df.value.columns)


@pytest.mark.parametrize("lang", LANGS)
def test_every_alert_is_a_link_that_says_its_target(open_page, lang):
    at = open_page("overview", lang)
    links = {e.proto.label: e.proto for e in at.get("page_link")}
    expected = {
        t("customers.alerts.sla_below_n", lang, n=2, target="90.0%"): ("branches",
                                                                        "kpi=sla_resolve_compliance&alert=sla_below"),
        t("customers.alerts.visit_below_n", lang, n=2, target="80.0%"): ("branches",
                                                                          "kpi=visit_compliance&alert=visit_below"),
        t("customers.alerts.a_unassigned", lang, n=1): ("classes", "view=misfits&alert=a_unassigned"),
        t("customers.alerts.star_misfit", lang, n=1): ("classes", "view=misfits&alert=star_misfit"),
        # the revenue drop was bold text: now it opens the groups of a branch with the drop (GZ and SZ one
        # each: GZ, the first code), and each branch's own link is in its list
        t("customers.alerts.revenue_drop", lang, n=2, threshold="30.0%"): ("branches",
                                                                            "branch=GZ&alert=revenue_drop"),
        t("customers.alerts.class_upgrade", lang, n=1): ("classes", "view=upgrade&alert=class_upgrade"),
        t("customers.alerts.class_downgrade", lang, n=1): ("classes", "view=downgrade&alert=class_downgrade"),
    }
    view = f"lang={lang}&period=2026-06&"  # every in-app link carries the shared view along (ui.page_link)
    for label, (page, query) in expected.items():
        assert (links[label].page, links[label].query_string) == (page, view + query), label
    sz = links[t("customers.alerts.revenue_drop_branch", lang, branch="深圳", n=1)]
    assert (sz.page, sz.query_string) == ("branches", view + "branch=SZ&alert=revenue_drop")
    # no alert is plain bold text any more
    assert not {f"**{label}**" for label in expected} & {m.value for m in at.markdown}


def chart(at: AppTest, key: str) -> dict:
    return json.loads(next(e.proto.spec for e in at.get("plotly_chart") if e.key == key))


@pytest.mark.parametrize("lang", LANGS)
def test_the_visit_alert_opens_its_branches_marked_with_the_target_drawn(open_page, lang):
    at = open_page("branches", lang, kpi="visit_compliance", alert="visit_below")
    warning = " ".join(w.value for w in at.warning)
    # the branches below it, the furthest below first: GZ 33.3 %, FS 50 %
    assert t("customers.branches.alert_rows", lang, kpi=t("column.visit_compliance", lang), n=2, target="80.0%",
             branches=t("customers.branches.name_sep", lang).join(["广州", "佛山"])) in warning
    # the target on the chart, the branches below it in red
    spec = chart(at, "branches_chart_visit_compliance")
    target = [s for s in spec["layout"]["shapes"] if s.get("line", {}).get("color") == RED]
    assert len(target) == 1 and target[0]["x0"] == 0.8
    assert any(a["text"] == t("customers.branches.target_is", lang, value="80.0%")
               for a in spec["layout"]["annotations"])
    bars = spec["data"][0]
    colours = dict(zip(bars["y"], bars["marker"]["color"]))
    assert colours["广州"] == RED and colours["佛山"] == RED and colours["深圳"] != RED
    # the table: the two branches first, ticked
    table = table_with(at, lang, "alert_flag")
    assert list(table[t("column.alert_flag", lang)]) == [True, True, False]
    branch = next(h for h in (t("column.branch", lang), t("column.branch_name", lang)) if h in table.columns)
    assert set(table[branch][:2]) == {"广州", "佛山"}  # branches shown by name


@pytest.mark.parametrize("lang", LANGS)
def test_a_branch_row_of_the_visit_alert_opens_its_groups_not_visited_first(open_page, lang):
    at = open_page("branches", lang, branch="GZ", kpi="visit_compliance", alert="visit_below")
    captions = " ".join(cap.value for cap in at.caption)
    assert t("customers.branches.target_below", lang, value="80.0%") in captions  # GZ 33.3 % against 80 %
    assert t("customers.branches.groups_not_visited", lang, n=2, target="80.0%") in captions
    groups = table_with(at, lang, "alert_flag")
    # G2 and G3 not visited to the standard, first (in revenue order: G3 20000, G2 8300), then G1
    assert list(groups[t("column.group_id", lang)]) == ["G3", "G2", "G1"]
    assert list(groups[t("column.alert_flag", lang)]) == [True, True, False]
    # the id a row drills into first (ui.drill_table), then the alert's mark
    assert list(groups.columns[:4]) == [t(f"column.{c}", lang) for c in
                                        ("group_id", "alert_flag", "group_name", "visit_compliant")]


@pytest.mark.parametrize("lang", LANGS)
def test_the_revenue_drop_alert_opens_the_branchs_groups_with_the_drop_first(open_page, lang):
    at = open_page("branches", lang, branch="GZ", alert="revenue_drop")
    captions = " ".join(cap.value for cap in at.caption)
    assert t("customers.branches.groups_dropped", lang, n=1, threshold="30.0%") in captions
    groups = table_with(at, lang, "alert_flag")
    assert list(groups[t("column.group_id", lang)]) == ["G3", "G1", "G2"]
    assert list(groups[t("column.alert_flag", lang)]) == [True, False, False]
    assert groups[t("column.drop_share", lang)].iloc[0] == pytest.approx(100 / 3)  # shown in percent


@pytest.mark.parametrize("lang", LANGS)
def test_the_star_alerts_open_the_misfit_list_with_their_groups_first(open_page, lang):
    at = open_page("classes", lang, view="misfits", alert="a_unassigned")
    assert t("customers.classes.alert_a_unassigned", lang, n=1) in " ".join(w.value for w in at.warning)
    assert t("customers.classes.star_rule", lang) in " ".join(cap.value for cap in at.caption)
    misfits = table_with(at, lang, "alert_flag")
    # G3 (A, no manager) first and ticked; G2 (B served by a one-star manager) is the other alert's row
    assert list(misfits[t("column.group_id", lang)]) == ["G3", "G2"]
    assert list(misfits[t("column.alert_flag", lang)]) == [True, False]
    at = open_page("classes", lang, view="misfits", alert="star_misfit")
    misfits = table_with(at, lang, "alert_flag")
    assert list(misfits[t("column.group_id", lang)]) == ["G2", "G3"]
    assert list(misfits[t("column.alert_flag", lang)]) == [True, False]


@pytest.mark.parametrize("lang", LANGS)
def test_the_class_alerts_open_their_list_with_the_thresholds_stated(open_page, lang):
    at = open_page("classes", lang, view="upgrade", alert="class_upgrade")
    assert t("customers.classes.rule", lang, a="¥30,000", b="¥5,000", n=1,
             move=t("customers.classes.move.upgrade", lang)) in " ".join(cap.value for cap in at.caption)
    upgrade = table_with(at, lang, "class_move")
    assert list(upgrade[t("column.group_id", lang)]) == ["G5"]
