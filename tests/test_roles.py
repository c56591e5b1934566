"""Who sees what: every role × every page × every `kam report`, on a three-branch export set.

The regional head of 广州 (GZ) and the account manager M1 (GZ) must find nothing of another
branch's — or, for M1, another manager's — groups, managers, tickets or phone numbers anywhere:
on screen, in chart data, in select options, and in downloads.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from customers_fixture import write_customers
from kam.app import auth
from kam.app.auth import Viewer
from kam.i18n import t
from kam.storage.warehouse import refresh

PAGES = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "pages").glob("*.py"))
VIEWERS = {
    "executive": Viewer("ceo", "executive"),
    "planner": Viewer("plan", "planner"),
    "regional_head": Viewer("gz", "regional_head", branch="GZ"),
    "account_manager": Viewer("m1", "account_manager", branch="GZ", manager="M1"),
    "data_admin": Viewer("data", "data_admin", see_phone_numbers=True),
}
OTHER_BRANCHES = ["G4", "G5", "G6", "G7", "丁集团", "戊集团", "己集团", "庚集团", "M3", "M4", "王五", "赵六",
                  "T4", "T5", "13800000007", "13800000008", "13800000009", "13800000010", "13800000011",
                  "138****0007", "138****0008", "138****0009", "138****0010", "138****0011"]
# G3 is unassigned but M1 visited it (V4): M1's own visit record may name it.
OTHER_MANAGERS = OTHER_BRANCHES + ["G2", "乙集团", "M2", "李四", "T2", "T3",
                                   "13800000004", "13800000005", "13800000006",
                                   "138****0004", "138****0005", "138****0006"]
FORBIDDEN = {"regional_head": OTHER_BRANCHES, "account_manager": OTHER_MANAGERS}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    exports = write_customers(tmp_path_factory.mktemp("roles"))
    refresh(exports)
    return exports


@pytest.fixture
def downloads(monkeypatch):
    """Every frame handed to a download button during a run."""
    captured: list[pd.DataFrame] = []
    import kam.app.downloads
    import kam.app.ui
    real_csv, real_xlsx = kam.app.downloads.to_csv_bytes, kam.app.downloads.to_xlsx_bytes

    def csv(frame, see_phone_numbers=False):
        captured.append(kam.app.downloads.prepare(frame, see_phone_numbers))
        return real_csv(frame, see_phone_numbers)

    def xlsx(frame, see_phone_numbers=False, sheet="data"):
        captured.append(kam.app.downloads.prepare(frame, see_phone_numbers))
        return real_xlsx(frame, see_phone_numbers, sheet)

    for module in (kam.app.downloads, kam.app.ui):
        monkeypatch.setattr(module, "to_csv_bytes", csv)
        monkeypatch.setattr(module, "to_xlsx_bytes", xlsx)
    return captured


def open_page(folder, monkeypatch, viewer: Viewer, page: str, query: dict | None = None) -> AppTest:
    """Through the app's navigation when the viewer has the page there; else the page file run
    directly, as a hand-typed URL or a stale link would (navigation alone protects nothing)."""
    monkeypatch.setenv("KAM_DATA", str(folder))
    direct = not viewer.may_open(page)
    at = AppTest.from_file(f"../pages/{page}.py" if direct else "../app.py", default_timeout=90)
    at.session_state["viewer"] = viewer
    at.session_state["lang"] = "en"
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if not direct:
        at.switch_page(f"pages/{page}.py")
        at.run()
    assert not at.exception, at.exception
    return at


def everything_shown(at: AppTest, downloads: list[pd.DataFrame]) -> str:
    """All text a person could see or download: elements, tables, chart data, options."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "code", "info", "warning",
                 "error", "success", "latex"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [e.label for e in at.expander] + [tab.label for tab in at.tabs]
    parts += [df.value.to_csv() for df in at.dataframe] + [tb.value.to_csv() for tb in at.table]
    for kind in ("selectbox", "multiselect", "radio", "select_slider"):
        for widget in getattr(at, kind):
            parts += [str(o) for o in widget.options] + [str(widget.value)]
    parts += [str(e.proto) for e in at.get("plotly_chart")]
    parts += [str(e.proto) for e in at.get("json")]
    parts += [frame.to_csv() for frame in downloads]
    return "\n".join(parts)


def leaks(text: str, forbidden: list[str]) -> list[str]:
    return [token for token in forbidden if re.search(rf"(?<![\w*]){re.escape(token)}(?![\w])", text)]


@pytest.mark.parametrize("role", list(VIEWERS))
@pytest.mark.parametrize("page", PAGES)
def test_role_sees_exactly_its_pages_and_nothing_of_others(folder, monkeypatch, downloads, role, page):
    viewer = VIEWERS[role]
    at = open_page(folder, monkeypatch, viewer, page)
    refused = any(e.value == t("auth.forbidden", "en") for e in at.error)
    assert refused == (not viewer.may_open(page)), f"{role} on {page}"
    if refused:
        assert not at.dataframe and not downloads
        return
    assert at.title, f"{page} rendered nothing for {role}"
    if role in FORBIDDEN:
        assert leaks(everything_shown(at, downloads), FORBIDDEN[role]) == [], f"{role} on {page}"


@pytest.mark.parametrize("role", ["regional_head", "account_manager"])
@pytest.mark.parametrize("page,query", [("group_profile", {"group": "G5"}), ("group_profile", {"group": "G7"}),
                                        ("manager_profile", {"manager": "M3"}),
                                        ("manager_profile", {"manager": "M4"})])
def test_urls_naming_another_branchs_group_or_manager_show_nothing_of_it(folder, monkeypatch, downloads,
                                                                         role, page, query):
    at = open_page(folder, monkeypatch, VIEWERS[role], page, query)
    assert leaks(everything_shown(at, downloads), FORBIDDEN[role]) == []


def test_account_manager_cannot_open_a_colleagues_group_of_the_same_branch(folder, monkeypatch, downloads):
    at = open_page(folder, monkeypatch, VIEWERS["account_manager"], "group_profile", {"group": "G2"})
    assert leaks(everything_shown(at, downloads), ["乙集团", "13800000004", "138****0004", "T2"]) == []


def test_account_manager_sees_their_own_group(folder, monkeypatch, downloads):
    at = open_page(folder, monkeypatch, VIEWERS["account_manager"], "group_profile", {"group": "G1"})
    assert "甲集团" in everything_shown(at, downloads)


def test_regional_head_compares_every_branch_on_the_branch_page(folder, monkeypatch, downloads):
    at = open_page(folder, monkeypatch, VIEWERS["regional_head"], "branches")
    shown = everything_shown(at, downloads)
    assert "深圳" in shown and "佛山" in shown  # the comparison figures of the other branches (by name)
    assert leaks(shown, OTHER_BRANCHES) == []  # …but none of their details


def test_phone_numbers_are_masked_except_for_a_role_allowed_to_see_them(folder, monkeypatch, downloads):
    executive = open_page(folder, monkeypatch, VIEWERS["executive"], "group_profile", {"group": "G1"})
    shown = everything_shown(executive, downloads)
    assert "13800000001" not in shown and "138****0001" in shown
    downloads.clear()
    allowed = Viewer("ceo", "executive", see_phone_numbers=True)
    shown = everything_shown(open_page(folder, monkeypatch, allowed, "group_profile", {"group": "G1"}), downloads)
    assert "13800000001" in shown


# ---------------------------------------------------------------- kam report, per role

REPORTS = ["overview", "managers", "classes", "pareto", "sla", "visits", "funnel", "staffing", "model",
           "branches", "quality", "targets", "retention", "warnings"]


@pytest.fixture
def users_file(tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    path.write_text('[users.gz]\nrole = "regional_head"\nbranch = "GZ"\n'
                    '[users.m1]\nrole = "account_manager"\nbranch = "GZ"\nmanager = "M1"\n'
                    '[users.ceo]\nrole = "executive"\n', encoding="utf-8")
    monkeypatch.setenv("KAM_USERS", str(path))
    return path


@pytest.mark.parametrize("user", ["gz", "m1"])
@pytest.mark.parametrize("report", REPORTS)
def test_kam_report_for_a_user_shows_only_their_scope(folder, users_file, capsys, user, report):
    from kam.cli import main
    code = main(["report", report, "--data", str(folder), "--period", "2026-06", "--format", "json", "--user", user])
    out = capsys.readouterr().out
    viewer = VIEWERS["regional_head" if user == "gz" else "account_manager"]
    if not auth.may_print(viewer, report):
        assert code == 3 and out == ""  # refused, nothing printed
        return
    assert code == 0
    records = json.loads(out)
    forbidden = OTHER_BRANCHES if user == "gz" else OTHER_MANAGERS
    if report in auth.COMPARISON_REPORTS:
        forbidden = [f for f in forbidden if not f.startswith(("M", "王", "赵", "李"))]  # branch figures only
    assert leaks(json.dumps(records, ensure_ascii=False), forbidden) == []
    branches = {r.get("branch_id") for r in records} - {None}
    if report not in auth.COMPARISON_REPORTS:
        assert branches <= {"GZ"}
