"""Counties (区县) where exported: a cut and a drill step between the branch and its managers; none without.

On tests/retention_fixture.py in March 2026: 广州's active groups are G1 (天河, members m1 and m4, revenue
1,100) and G4 (no county, no members, 600); G3 of 越秀 closed in February; M1's own county is 天河.
深圳 exports no county at all.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kam.figures.period import Period
from kam.figures.query import Warehouse
from kam.figures.settings import load_settings
from kam.i18n import t
from kam.storage.warehouse import refresh
from retention_fixture import write_exports

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("county") / "exports"
    folder.mkdir()
    refresh(write_exports(folder))
    return folder


def test_the_county_cut_of_a_branch(folder):
    wh = Warehouse(folder, load_settings(REPO / "settings.toml"))
    params = wh.period_params(Period.parse("2026-03"))
    gz = wh.query("pages/branches_counties", params | {"branch": "GZ"})
    assert [(r.county if isinstance(r.county, str) else None, r.groups, r.members, float(r.revenue), r.managers)
            for r in gz.itertuples()] == [("天河", 1, 2, 1100.0, 1), (None, 1, 0, 600.0, 0)]
    assert wh.query("pages/branches_counties", params | {"branch": "SZ"}).empty


def open_drill(folder, monkeypatch, lang: str, branch: str) -> AppTest:
    monkeypatch.setenv("KAM_DATA", str(folder))
    monkeypatch.setenv("KAM_USERS", str(folder / "no-users.toml"))
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["period"] = "2026-03"
    at.query_params["view"] = "drill"
    at.query_params["branch"] = branch
    at.run()
    at.switch_page("pages/branches.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_branch_drill_steps_through_a_county_to_its_managers_and_groups(folder, monkeypatch, lang):
    at = open_drill(folder, monkeypatch, lang, "GZ")
    county = at.selectbox(key="branches_drill_county")
    assert county.options == [t("retention.all_counties", lang), "天河"]
    county.set_value("天河").run()
    assert not at.exception
    tables = [df.value for df in at.dataframe]
    managers = next(f for f in tables if t("column.manager_name", lang) in f.columns and "张三" in set(
        f[t("column.manager_name", lang)]))
    assert list(managers[t("column.county", lang)]) == ["天河"]
    groups = next(f for f in tables if t("column.group_name", lang) in f.columns)
    assert list(groups[t("column.group_name", lang)]) == ["甲集团"]


def test_a_branch_without_counties_has_no_county_control(folder, monkeypatch):
    at = open_drill(folder, monkeypatch, "en", "SZ")
    assert not [s for s in at.selectbox if s.key == "branches_drill_county"]
    assert all(t("column.county", "en") not in df.value.columns for df in at.dataframe)
