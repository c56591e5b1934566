"""AppTest: the 预警清单 in both languages and for each role, on tests/warnings_fixture.py (values worked out
there); the overview's alert block counts the warnings."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kam.app.auth import Viewer
from kam.i18n import t
from kam.storage.warehouse import refresh
from test_customers_pages import screen, untranslated
from test_roles import everything_shown, leaks
from warnings_fixture import AS_OF, EXPECTED, write_exports

LANGS = ["zh", "en"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("warnings_pages") / "exports"
    folder.mkdir()
    refresh(write_exports(folder))
    settings = folder.parent / "settings.toml"
    from kam.figures.settings import load_settings
    load_settings().with_overrides({"time.as_of": AS_OF}).save(settings)
    return folder


@pytest.fixture
def open_page(folder, monkeypatch):
    monkeypatch.setenv("KAM_DATA", str(folder))
    monkeypatch.setenv("KAM_SETTINGS", str(folder.parent / "settings.toml"))
    monkeypatch.setenv("KAM_USERS", str(folder / "no-users.toml"))
    import kam.app.ui
    kam.app.ui.warehouse_for.clear()  # the settings of this folder, not a cached handle's

    def run(page: str, lang: str, viewer: Viewer | None = None, **query) -> AppTest:
        at = AppTest.from_file("../app.py", default_timeout=90)
        at.session_state["lang"] = lang
        at.session_state["period"] = "2026-06"
        if viewer:
            at.session_state["viewer"] = viewer
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, at.exception
        return at
    return run


def listed(at: AppTest, lang: str) -> list[str]:
    """The groups of the list, in its order (the money at stake first)."""
    return list(at.dataframe[0].value[t("column.group_name", lang)])


NAMES = {"G1": "甲集团", "G2": "乙集团", "G3": "丙集团", "G4": "丁集团"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_list_in_order_of_money_at_stake_with_each_kind_counted(open_page, lang):
    at = open_page("warnings", lang)
    assert at.title[0].value == t("page.warnings", lang)
    assert listed(at, lang) == [NAMES[g] for _, g, *_ in EXPECTED]
    cards = {m.label: m.value for m in at.metric}
    assert cards[t("warnings.kind.arrears", lang)] == "5" and cards[t("warnings.kind.contract_expiry", lang)] == "2"
    assert cards[t("metric.renewal_rate.name", lang)] == "50.0%"
    table = at.dataframe[0].value
    assert t("warnings.detail.expiry", lang, contract="K1", days=90) in set(table[t("column.detail", lang)])
    assert "138****0001" in table.to_csv() and "13800000001" not in table.to_csv()  # masked
    assert untranslated(screen(at)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_link_from_the_overview_opens_one_kind(open_page, lang):
    overview = open_page("overview", lang)
    links = [e.proto.label for e in overview.get("page_link")]
    assert t("warnings.overview", lang, kind=t("warnings.kind.arrears", lang), n=5,
             amount="¥2,220.00") in links  # 1000 + 550 + 460 + 200 + 10
    at = open_page("warnings", lang, kind="revenue_slide")
    assert listed(at, lang) == ["丁集团", "甲集团"]


def test_without_contracts_and_arrears_the_page_says_so(tmp_path, monkeypatch):
    folder = write_exports(tmp_path)
    (folder / "contracts.csv").unlink()
    (folder / "arrears.csv").unlink()
    refresh(folder)
    monkeypatch.setenv("KAM_DATA", str(folder))
    monkeypatch.setenv("KAM_USERS", str(folder / "no-users.toml"))
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page("pages/warnings.py")
    at.run()
    assert not at.exception
    assert [i.value for i in at.info] == [
        t("warnings.not_exported", "en", dataset=t("dataset.contracts", "en"),
          kind=t("warnings.kind.contract_expiry", "en")),
        t("warnings.not_exported", "en", dataset=t("dataset.arrears", "en"), kind=t("warnings.kind.arrears", "en"))]


def test_a_regional_head_sees_their_branchs_warnings_only(open_page):
    at = open_page("warnings", "en", Viewer("gz", "regional_head", branch="GZ"))
    assert listed(at, "en") == [NAMES[g] for _, g, *_ in EXPECTED if g != "G4"]
    assert leaks(everything_shown(at, []), ["丁集团", "G4", "李四", "M2", "13900000004", "139****0004"]) == []


def test_an_account_manager_sees_their_own_warnings_only(open_page):
    at = open_page("warnings", "en", Viewer("m2", "account_manager", branch="SZ", manager="M2"))
    assert listed(at, "en") == ["丁集团"] * 3
    assert leaks(everything_shown(at, []), ["甲集团", "乙集团", "丙集团", "张三", "王五", "138****0001"]) == []
    mine = open_page("warnings", "en", Viewer("m3", "account_manager", branch="GZ", manager="M3"))
    assert set(listed(mine, "en")) == {"丙集团"}
