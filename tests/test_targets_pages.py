"""AppTest: targets on the overview cards and the branch ranks, in both languages (tests/test_targets_figures.py
has the hand-worked values: GZ revenue 600 of 1,000 in mid-Q3, time progress 50 %)."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from apptest_pages import open_app_page

from kam.app import palette
from kam.i18n import t
from test_customers_pages import screen, untranslated
from test_targets_figures import targets_folder

LANGS = ["zh", "en"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    from conftest import BRANCHES, GROUPS, MANAGERS, write_text
    folder = tmp_path_factory.mktemp("targets_pages") / "exports"
    folder.mkdir()
    for name, table in (("branches", BRANCHES), ("managers", MANAGERS), ("groups", GROUPS)):
        write_text(folder / f"{name}.csv", *table)
    return targets_folder(folder)


@pytest.fixture
def open_page(folder, monkeypatch):
    monkeypatch.setenv("KAM_DATA", str(folder))
    monkeypatch.setenv("KAM_USERS", str(folder / "no-users.toml"))

    def run(page: str, lang: str, period: str = "2026-Q3", branches: list | None = None) -> AppTest:
        return open_app_page(page, lang, period=period,
                             session={"branch_filter": branches} if branches else None)
    return run


@pytest.mark.parametrize("lang", LANGS)
def test_the_revenue_card_shows_the_provinces_target_attainment_and_time_progress(open_page, lang):
    at = open_page("overview", lang)
    captions = [c.value for c in at.caption]
    # the province: revenue 850 of 1,700 at time progress 50 %; ARPU 94.44 of 100
    assert t("targets.card_flow", lang, target="¥1,700.00", attainment="50.0%",
             progress="50.0%", state=t("targets.ahead", lang)) in captions, captions
    assert any(t("targets.off", lang) in cap for cap in captions)
    text = screen(at)
    assert t("customers.alerts.behind_time_n", lang, n=2) in text
    assert t("customers.alerts.off_target_n", lang, n=1) in text
    assert untranslated(text) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_branch_alone_shows_its_own_targets_on_the_cards(open_page, lang):
    at = open_page("overview", lang, branches=["SZ"])
    captions = " ".join(c.value for c in at.caption)
    assert "25.0%" in captions and t("targets.behind", lang) in captions  # SZ revenue 250 of 1,000


@pytest.mark.parametrize("lang", LANGS)
def test_a_month_without_targets_shows_no_target_line(open_page, lang):
    at = open_page("overview", lang, period="2026-07")
    captions = " ".join(c.value for c in at.caption)
    assert t("targets.ahead", lang) not in captions and t("targets.behind", lang) not in captions


@pytest.mark.parametrize("lang", LANGS)
def test_the_branch_ranks_mark_targets_and_say_the_time_progress(open_page, lang):
    at = open_page("branches", lang)
    assert t("targets.branches_note", lang, progress="50.0%") in [c.value for c in at.caption]
    figures = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    ticks_named = {t("targets.marker", lang), t("targets.paced_marker", lang)}
    marked = [f for f in figures if any(tr.get("name") in ticks_named for tr in f["data"])]
    revenue = next(f for f in marked if f["layout"]["title"]["text"] == t("column.revenue", lang))
    bars = revenue["data"][0]
    colours = dict(zip(bars["y"], bars["marker"]["color"]))
    assert colours == {"广州": palette.SERIES[0], "深圳": palette.BAD}  # SZ is behind time progress, GZ ahead
    # revenue builds up: the tick is the target at time progress, 1,000 × 0.5
    assert revenue["data"][1]["name"] == t("targets.paced_marker", lang)
    ticks = dict(zip(revenue["data"][1]["y"], revenue["data"][1]["x"]))
    assert ticks == {"广州": 500, "深圳": 500}
    assert untranslated(screen(at)) == []
