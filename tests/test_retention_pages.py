"""AppTest: the 拍照保有 page in both languages, on tests/retention_fixture.py (hand-worked values there)."""
from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from apptest_pages import open_app_page

from kam.i18n import t
from kam.storage.warehouse import refresh
from retention_fixture import write_exports
from test_customers_pages import screen, untranslated

LANGS = ["zh", "en"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("retention_pages") / "exports"
    folder.mkdir()
    refresh(write_exports(folder))
    return folder


@pytest.fixture
def open_page(folder, monkeypatch):
    monkeypatch.setenv("KAM_DATA", str(folder))
    monkeypatch.setenv("KAM_USERS", str(folder / "no-users.toml"))

    def run(lang: str, period: str = "2026-03") -> AppTest:
        return open_app_page("retention", lang, period=period)
    return run


def metric(at: AppTest, key: str, lang: str):
    return next(m for m in at.metric if m.label == t(f"metric.{key}.name", lang))


@pytest.mark.parametrize("lang", LANGS)
def test_the_base_as_a_whole_with_its_change_on_the_month_before(open_page, lang):
    at = open_page(lang)
    assert at.title[0].value == t("page.retention", lang)
    assert at.selectbox(key="retention_snapshot").value == dt.date(2025, 12, 1)
    # all three snapshot groups: G1 and G2 kept of G1, G2, G3; revenue (1100 + 250) ÷ (1000 + 500 + 200)
    assert metric(at, "group_retention", lang).value == "66.7%"
    assert metric(at, "revenue_retention", lang).value == "79.4%"
    assert metric(at, "member_retention", lang).value == "33.3%"  # m1, n2 of 6
    assert metric(at, "new_revenue", lang).value == "¥600.00"
    assert untranslated(screen(at)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_cuts_include_the_county_where_exported_and_drill_to_managers(open_page, lang):
    at = open_page(lang)
    cut = at.radio(key="retention_cut")
    assert cut.options == [t(f"retention.by.{d}", lang) for d in ("branch", "class", "manager", "county")]
    table = at.dataframe[0].value
    assert list(table[t("column.cut", lang)]) == ["广州", "深圳"]
    cut.set_value("manager").run()
    at.selectbox(key="retention_branch").set_value("GZ").run()
    county = at.selectbox(key="retention_county")
    assert county.options == [t("retention.all_counties", lang), "天河", "越秀"]  # from groups and managers
    county.set_value("天河").run()
    assert list(at.dataframe[0].value[t("column.cut", lang)]) == ["张三"]
    assert not at.exception


@pytest.mark.parametrize("lang", LANGS)
def test_a_snapshot_month_without_billing_says_so(open_page, lang):
    at = open_page(lang, period="2025-12")  # its default snapshot, 2024-12, has no billing
    assert at.warning[0].value == t("retention.no_snapshot_data", lang, month="2024-12")
