"""Uploads that cannot be loaded are moved aside, listed with their reason, removable and restorable;
file names and export text are shown as text on the Data page, never as markdown.

AppTest runs pages/data.py itself (local single-user mode: may upload and refresh): a button
clicked after AppTest.switch_page does not reach the page's run.
"""
from __future__ import annotations

import io
import re
import zipfile

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from conftest import write_text
from kam.app.ui import plain
from kam.i18n import Message, t
from kam.storage import quarantine
from kam.storage.warehouse import current_warehouse, refresh

BILL_HEADER = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]
GOOD_BILL = b"bill_month,group_id,subscriber_id,fee_item,amount\n202606,G1,,line,7\n"
LINK_NAME = "[click me](evil.example).csv"  # a relative link: uploads lose ":" and "/"


def not_a_workbook() -> bytes:
    """A zip (so the upload check lets it through) that is no workbook: the reader fails on it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a spreadsheet")
    return buffer.getvalue()


def manifest(folder) -> dict[str, str]:
    con = duckdb.connect(str(current_warehouse(folder)), read_only=True)
    try:
        return dict(con.execute("select file, status from file_manifest").fetchall())
    finally:
        con.close()


def markdown_link(text: str) -> bool:
    """Whether markdown source holds an unescaped link: [text](target), <scheme:…>, or a bare URL/www."""
    unescaped = re.sub(r"\\.", "", text)  # what a backslash escapes is a literal character
    return bool(re.search(r"\]\(|<[a-z]+:|https?:|www\.", unescaped, re.IGNORECASE))


@pytest.fixture
def folder(base_folder, monkeypatch):
    write_text(base_folder / "billing.csv", BILL_HEADER, [["202606", "G1", "", "line", "1"]])
    refresh(base_folder)
    monkeypatch.setenv("KAM_DATA", str(base_folder))
    monkeypatch.setenv("KAM_USERS", str(base_folder / "no-users.toml"))  # local single-user mode
    return base_folder


def data_page(lang: str) -> AppTest:
    at = AppTest.from_file("../pages/data.py", default_timeout=90)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader(key="data_uploads").set_value([(name, data, "application/octet-stream") for name, data in files])
    at.run()
    at.button(key="data_upload_button").click().run()
    assert not at.exception, at.exception
    return at


# ---------------------------------------------------------------- the storage side

def test_a_file_moved_aside_is_listed_with_its_reason_and_can_be_restored_or_removed(base_folder):
    (base_folder / "complaints_bad.xlsx").write_bytes(b"broken")
    why = Message("reader.bad_xlsx", {})
    quarantine.move_aside(base_folder, "complaints_bad.xlsx", why, "not a readable workbook")
    assert not (base_folder / "complaints_bad.xlsx").exists()
    [held] = quarantine.listed(base_folder)
    assert (held.file, held.reason, held.error) == ("complaints_bad.xlsx", why, "not a readable workbook")
    assert "complaints_bad.xlsx" not in {f.file for f in refresh(base_folder).files}  # the refresh goes on without it
    quarantine.restore(base_folder, "complaints_bad.xlsx")
    assert (base_folder / "complaints_bad.xlsx").read_bytes() == b"broken" and quarantine.listed(base_folder) == []
    quarantine.move_aside(base_folder, "complaints_bad.xlsx", why, "not a readable workbook")
    quarantine.remove(base_folder, "complaints_bad.xlsx")
    assert quarantine.listed(base_folder) == [] and not list(quarantine.folder_of(base_folder).iterdir())


def test_a_restore_never_overwrites_a_file_of_the_export_folder(base_folder):
    (base_folder / "billing_x.csv").write_bytes(b"first")
    quarantine.move_aside(base_folder, "billing_x.csv", None, "bad")
    (base_folder / "billing_x.csv").write_bytes(b"a newer export")
    with pytest.raises(quarantine.QuarantineError, match="in the export folder already"):
        quarantine.restore(base_folder, "billing_x.csv")
    assert (base_folder / "billing_x.csv").read_bytes() == b"a newer export"


@pytest.mark.parametrize("name", ["../billing.csv", "", ".", "nothing_here.csv"])
def test_only_a_quarantined_file_by_its_plain_name_can_be_removed(base_folder, name):
    write_text(base_folder / "billing.csv", BILL_HEADER, [])
    with pytest.raises(quarantine.QuarantineError):
        quarantine.remove(base_folder, name)
    assert (base_folder / "billing.csv").exists()


# ---------------------------------------------------------------- the Data page

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_upload_that_fails_is_quarantined_and_the_good_one_loads(folder, lang):
    at = upload(data_page(lang), ("complaints_bad.xlsx", not_a_workbook()), ("billing_202607.csv", GOOD_BILL))
    assert not (folder / "complaints_bad.xlsx").exists()
    assert (quarantine.folder_of(folder) / "complaints_bad.xlsx").exists()
    # the published data knows the good upload and nothing of the bad one
    assert manifest(folder) == {"billing.csv": "loaded", "billing_202607.csv": "loaded",
                                "branches.csv": "loaded", "managers.csv": "loaded", "groups.csv": "loaded"}
    [held] = quarantine.listed(folder)
    moved = t("quarantine.moved", lang, file="complaints\\_bad.xlsx", reason=plain(held.reason.text(lang)))
    assert moved in [w.value for w in at.warning]
    # listed with its reason, in the viewer's language
    at = data_page(lang)
    listing = next(df.value for df in at.dataframe if t("quarantine.moved_at", lang) in df.value.columns)
    assert listing[t("quarantine.file", lang)].tolist() == ["complaints_bad.xlsx"]
    assert listing[t("quarantine.reason", lang)].tolist() == [held.reason.text(lang)]
    # the next refresh goes on without it
    assert "complaints_bad.xlsx" not in {f.file for f in refresh(folder).files}


def test_the_data_admin_restores_then_removes_a_quarantined_upload(folder):
    upload(data_page("en"), ("complaints_bad.xlsx", not_a_workbook()))
    at = data_page("en")
    at.button(key="data_quarantine_restore").click().run()
    assert not at.exception, at.exception
    assert (folder / "complaints_bad.xlsx").exists() and quarantine.listed(folder) == []
    assert t("quarantine.restored", "en", file="complaints\\_bad.xlsx") in [s.value for s in at.success]
    quarantine.move_aside(folder, "complaints_bad.xlsx", None, "bad")
    at = data_page("en")
    at.button(key="data_quarantine_remove").click().run()
    assert not (folder / "complaints_bad.xlsx").exists() and quarantine.listed(folder) == []
    assert not any(t("quarantine.moved_at", "en") in df.value.columns for df in at.dataframe)  # nothing listed


def test_a_viewer_who_may_not_upload_sees_the_list_but_no_buttons(folder, monkeypatch, tmp_path):
    from kam.app.auth import Viewer
    (folder / "complaints_bad.xlsx").write_bytes(b"x")
    quarantine.move_aside(folder, "complaints_bad.xlsx", None, "bad")
    at = AppTest.from_file("../pages/data.py", default_timeout=90)
    at.session_state["lang"] = "en"
    at.session_state["viewer"] = Viewer("ceo", "executive")
    at.run()
    assert not at.exception, at.exception
    assert any(t("quarantine.moved_at", "en") in df.value.columns for df in at.dataframe)
    assert [b for b in at.button if b.key in ("data_quarantine_remove", "data_quarantine_restore")] == []


def test_an_upload_named_like_a_markdown_link_is_shown_as_text(folder):
    at = upload(data_page("en"), (LINK_NAME, GOOD_BILL))
    said = [e.value for e in [*at.success, *at.warning, *at.markdown]]
    assert t("data.saved", "en", file=plain(LINK_NAME)) in said
    assert any(plain(LINK_NAME) in s for s in [w.value for w in at.warning])  # moved aside: no dataset
    assert [s for s in said if LINK_NAME in s or markdown_link(s)] == []


def test_a_file_in_the_folder_named_like_a_link_is_named_as_text(folder):
    (folder / "[x](https:evil.example) **bold** :red[red].csv").write_text("a,b\n1,2\n")
    (folder / "visits_[y](www.evil.example).csv").write_text("visit_id\nV1\n")
    refresh(folder)
    at = data_page("zh")
    warnings = [w.value for w in at.warning]
    assert ("**\\[x\\]\\(https\\:\u2060evil.example\\) \\*\\*bold\\*\\* \\:\u2060red\\[red\\].csv** — "
            + plain(t("reader.unknown_file", "zh"))) in warnings
    assert len(warnings) == 2 and not [w for w in warnings if markdown_link(w)]


def test_plain_leaves_nothing_markdown_could_read():
    joiner = "\u2060"  # invisible: Streamlit links bare URLs after unescaping, so they are broken up
    assert plain("[x](http://evil)") == f"\\[x\\]\\(http\\:{joiner}//evil\\)"
    assert plain(":material/home:") == f"\\:{joiner}material/home\\:{joiner}"
    assert plain("1. 第一") == "1\\. 第一" and plain("- a") == "\\- a" and plain("# h") == "\\# h"
    assert plain("www.evil.com a@b.cn $x$ <b>") == f"www{joiner}.evil.com a{joiner}\\@b.cn \\$x\\$ \\<b\\>"
    assert plain("two\nlines") == "two lines"
    assert plain("广州分公司 G1") == "广州分公司 G1"  # plain text stays as it is
