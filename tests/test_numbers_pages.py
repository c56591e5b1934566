"""Numbers as people read them, on every page: tables formatted by kind, metric arrows that tell the truth.

The helpers (ui.metric, ui.show_table) are checked on hand-picked values; then every page and view runs
on the sample in both languages and each table and card on it is held to the rules: no "None" / "nan"
cell, money in ¥, rates with one decimal, no float without a format, dates without 00:00:00, and a
metric's arrow that agrees with the sign of its number.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from apptest_pages import open_app_page

UP, DOWN, NONE = Metric.MetricDirection.UP, Metric.MetricDirection.DOWN, Metric.MetricDirection.NONE
RED, GREEN, GRAY, ORANGE = (Metric.MetricColor.RED, Metric.MetricColor.GREEN, Metric.MetricColor.GRAY,
                            Metric.MetricColor.ORANGE)
# "none" is not here: it is a code of the contract (vip_tier none = 无), and the Data page shows a set-aside
# row as the export wrote it, so that the data admin can find it in the file.
MISSING_TEXT = {"None", "nan", "NaN", "NaT", "<NA>", "null"}


def config_of(df) -> dict:
    return json.loads(df.proto.columns) if df.proto.columns else {}


def number_format(config: dict, column: str) -> str | None:
    return (config.get(column, {}).get("type_config") or {}).get("format")


# ---------------------------------------------------------------- the metric helper


def _metric_cards():
    import streamlit as st

    from kam.app import ui
    from kam.app.auth import LOCAL_VIEWER
    from kam.figures.query import Scope

    c = ui.Context(wh=None, lang="zh", period=None, scope=Scope(), viewer=LOCAL_VIEWER)
    ui.metric(c, st, "revenue", "¥16.1万", -0.067)  # the manager profile's −6.7 %
    ui.metric(c, st, "growth", "¥20万", 0.032)
    ui.metric(c, st, "churn", "1.1%", -0.0021, delta_text="−0.2 个百分点", better="lower")
    ui.metric(c, st, "churn up", "1.1%", 0.0021, delta_text="+0.2 个百分点", better="lower")
    ui.metric(c, st, "fit", "94.5%", 0.0001, delta_text="0.0 个百分点")
    ui.metric(c, st, "total", "3.25", -0.15, delta_text="−0.15", better="neutral")
    ui.metric(c, st, "members", 161_597)
    ui.metric(c, st, "stars", "33–41", note="在岗 57 · 缺编 3", tone="bad")


def test_the_metric_helper_draws_the_arrow_from_the_sign_and_the_colour_from_the_kpi():
    at = AppTest.from_function(_metric_cards).run()
    assert not at.exception, at.exception
    cards = {m.label: m for m in at.metric}
    look = {label: (m.proto.direction, m.proto.color) for label, m in cards.items()}
    assert cards["revenue"].delta == "\u22126.7%"
    assert look["revenue"] == (DOWN, RED)  # a fall of a higher-is-better figure: down, red
    assert look["growth"] == (UP, GREEN)
    assert look["churn"] == (DOWN, GREEN)  # churn falling is good
    assert look["churn up"] == (UP, RED)
    assert look["fit"] == (NONE, GRAY)  # 0.0: no arrow, no colour
    assert look["total"] == (DOWN, GRAY)  # neutral figure: the arrow, in grey
    assert cards["members"].value == "16.2万" and not cards["members"].delta
    assert look["stars"] == (NONE, RED) and cards["stars"].delta == "在岗 57 · 缺编 3"


# ---------------------------------------------------------------- the table helper


def _one_table():
    import pandas as pd
    import streamlit as st

    from kam.app import ui
    from kam.app.auth import LOCAL_VIEWER
    from kam.figures.query import Scope

    class Wh:  # show_table only needs the context's language and scope
        pass

    c = ui.Context(wh=Wh(), lang=st.session_state.get("lang", "zh"), period=None, scope=Scope(), viewer=LOCAL_VIEWER)
    frame = pd.DataFrame({
        "group_name": ["甲集团", None],
        "revenue": [42_748_981.96, None],
        "members": [14_519, 161_597],
        "member_churn_rate": [0.75, 0.928571],
        "score": [0.5817, 1.3103],
        "sla_late_h": [17_323.23, 0.6833],
        "visit_date": pd.to_datetime(["2026-10-14", None]),
        "created_at": pd.to_datetime(["2026-10-30 21:52", "2026-10-31 08:00"]),
        "month_start": pd.to_datetime(["2026-09-01", "2026-10-01"]),
        "threshold": [0.3, 0.3],
    })
    ui.show_table(c, frame, "kinds", key="kinds",
                  column_config={"threshold": st.column_config.NumberColumn(format="percent"),  # a page's own
                                 "sla_late_h": st.column_config.NumberColumn(format="%.2f")})


@pytest.mark.parametrize("lang, late", [("zh", ["721 天 19 小时", "41 分钟"]), ("en", ["721 d 19 h", "41 min"])])
def test_show_table_formats_each_column_by_its_kind(lang, late):
    at = AppTest.from_function(_one_table)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    df = at.dataframe[0]
    assert df.proto.placeholder == "—"  # a missing value reads "—", never "None"
    shown = df.value
    headers = list(shown.columns)
    config = config_of(df)
    by_raw = dict(zip(["group_name", "revenue", "members", "member_churn_rate", "score", "sla_late_h", "visit_date",
                       "created_at", "month_start", "threshold"], headers))
    assert number_format(config, by_raw["revenue"]) == "¥%,.2f"
    assert number_format(config, by_raw["members"]) == "%,d"  # 14,519
    # rates shown ×100 with one decimal: 75.0% beside 92.9%, never 75% beside 92.86%
    assert number_format(config, by_raw["member_churn_rate"]) == "%.1f%%"
    assert shown[by_raw["member_churn_rate"]].round(4).tolist() == [75.0, 92.8571]
    assert number_format(config, by_raw["threshold"]) == "%.1f%%"  # a page's "percent" follows the same rule
    assert shown[by_raw["threshold"]].tolist() == [30.0, 30.0]
    assert number_format(config, by_raw["score"]) == "%,.2f"  # 0.58, not 0.5817
    assert shown[by_raw["sla_late_h"]].tolist() == late  # even where the page asked for a number
    assert config[by_raw["sla_late_h"]]["type_config"]["type"] == "text"
    assert number_format(config, by_raw["visit_date"]) == "YYYY-MM-DD"  # no 00:00:00
    assert number_format(config, by_raw["created_at"]) == "YYYY-MM-DD HH:mm"
    assert number_format(config, by_raw["month_start"]) == "YYYY-MM"
    # downloads keep the values
    csv = at.get("download_button")[0]
    assert csv.proto.label


# ---------------------------------------------------------------- every page on the sample

PAGES = [("overview", {}), ("branches", {"view": "compare"}), ("branches", {"view": "side_by_side"}),
         ("branches", {"view": "drill", "branch": "GZ"}),
         ("managers", {}), ("manager_profile", {"manager": "M0001"}),
         *[("classes", {"view": v}) for v in ("distribution", "pareto", "suggested", "migration", "star_fit",
                                              "members", "industry", "products")],
         ("staffing", {}), ("model_matrix", {}), ("sla", {}), ("visits", {}), ("orders", {}),
         ("group_profile", {"group": "G00460"}), ("data", {}), ("turnover", {})]

MONEY_WORDS = ("收入", "ARPU", "金额")
NOT_MONEY_WORDS = ("率", "占比", "排名", "百分位", "档位", "环比", "同比", "增长", "%", "降幅", "预警", "占在册")


@pytest.fixture(scope="module")
def sample_env(sample_folder):
    return {"KAM_DATA": str(sample_folder), "KAM_USERS": str(sample_folder / ".kam" / "no-users.toml")}


def run_page(env: dict, monkeypatch, page: str, lang: str, query: dict) -> AppTest:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return open_app_page(page, lang, timeout=120, **query)


def table_problems(at: AppTest, lang: str) -> list[str]:
    """Every rule a table on the screen breaks, as readable sentences."""
    problems = []
    for df in at.dataframe:
        shown, config = df.value, config_of(df)
        name = df.proto.id[-40:]
        if df.proto.placeholder != "—":
            problems.append(f"{name}: missing values would read 'None'")
        if df.proto.id.endswith(("_moves_1", "_capacity_1")) or "editor" in df.proto.id:
            continue  # an editor the planner types into: its own formats
        for col in shown.columns:
            values = shown[col]
            number = number_format(config, col)
            if values.dtype == object or pd.api.types.is_string_dtype(values):
                bad = sorted({str(v) for v in values.dropna() if str(v).strip() in MISSING_TEXT})
                if bad:
                    problems.append(f"{name}/{col}: cells read {bad}")
            if pd.api.types.is_float_dtype(values) and not number:
                problems.append(f"{name}/{col}: floats without a format ({values.dropna().head(2).tolist()})")
            if number and "." in number and number.split(".")[1][:1].isdigit() and int(number.split(".")[1][0]) > 3:
                problems.append(f"{name}/{col}: {number} shows more than 3 decimals")
            if pd.api.types.is_datetime64_any_dtype(values) and not number:
                problems.append(f"{name}/{col}: a date shown with its 00:00:00")
            if lang == "zh" and any(w in col for w in MONEY_WORDS) and not any(w in col for w in NOT_MONEY_WORDS) \
                    and not col.endswith("数") \
                    and pd.api.types.is_numeric_dtype(values) and not (number or "").startswith("¥"):
                problems.append(f"{name}/{col}: money without ¥ ({number})")
            if lang == "zh" and col.endswith(("率", "占比")) and pd.api.types.is_numeric_dtype(values) \
                    and number != "%.1f%%":
                problems.append(f"{name}/{col}: a rate as {number}")
    return problems


def metric_problems(at: AppTest) -> list[str]:
    problems = []
    for m in at.metric:
        delta = (m.delta or "").strip()
        if m.proto.direction == NONE:
            if delta[:1] in ("+", "-", "\u2212") and any(ch in "123456789" for ch in delta):
                problems.append(f"{m.label}: {delta} without an arrow")
            continue
        expected = DOWN if delta[:1] in ("-", "\u2212") else UP
        if m.proto.direction != expected or not any(ch in "123456789" for ch in delta):
            problems.append(f"{m.label}: {delta} drawn with the arrow {m.proto.direction}")
    return problems


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page, query", PAGES, ids=[f"{p}-{'-'.join(q.values())}" for p, q in PAGES])
def test_every_table_and_card_reads_as_people_read_numbers(sample_env, monkeypatch, page, query, lang):
    at = run_page(sample_env, monkeypatch, page, lang, query)
    assert at.dataframe or at.metric, "the page showed no figures at all"
    problems = table_problems(at, lang) + metric_problems(at)
    assert not problems, "\n".join(problems)


def test_the_overview_kpi_table_shows_current_values_by_kind(sample_env, monkeypatch):
    at = run_page(sample_env, monkeypatch, "overview", "zh", {})
    table = next(df.value for df in at.dataframe if "本期值" in df.value.columns)
    assert "原始值" not in table.columns
    rows = table.set_index("指标")
    assert rows.loc["收入", "本期值"].startswith("¥") and "," in rows.loc["收入", "本期值"]
    assert rows.loc["在册成员", "本期值"].replace(",", "").isdigit() and "," in rows.loc["在册成员", "本期值"]
    assert rows.loc["成员流失率", "本期值"].endswith("%")
    assert rows.loc["成员流失率", "环比变化"].endswith("个百分点")  # a rate changes in points
    assert rows.loc["收入", "环比变化"].endswith("%")
    cards = {m.label: m.value for m in at.metric}
    members = cards["在册成员"]
    assert members.endswith("万") and len(members.replace(".", "").rstrip("万")) >= 3  # 16.2万, not 16万


def test_branch_badges_against_the_province_read_in_points_with_the_right_arrow(sample_env, monkeypatch):
    at = run_page(sample_env, monkeypatch, "branches", "zh", {"view": "drill", "branch": "MM"})
    badges = [m for m in at.metric if m.delta]
    assert badges
    for m in badges:
        assert m.delta.endswith("个百分点") and not m.delta.startswith("较全省")  # short enough to show whole
        assert len(m.delta) <= len("−41.8 个百分点")
    assert any("较全省" in cap.value for cap in at.caption)  # said once, above the cards
    churn = next(m for m in badges if m.label.endswith("成员流失率"))
    arrow_down = churn.delta.startswith("\u2212")
    assert churn.proto.direction == (DOWN if arrow_down else UP)
    assert churn.proto.color == (GREEN if arrow_down else RED)  # churn below the province is good


def test_every_card_and_table_on_a_page_goes_through_the_shared_helpers():
    """A card drawn with st.metric itself reads its arrow from the text ("−6.7 %" as a rise); a bare
    st.dataframe shows "None" for a missing value."""
    import ast
    from pathlib import Path

    pages = Path(__file__).resolve().parent.parent / "pages"
    offenders = []
    for path in sorted(pages.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
            if node.func.attr == "metric" and owner != "ui":
                offenders.append(f"{path.name}:{node.lineno}: {owner}.metric instead of ui.metric")
            if node.func.attr in ("dataframe", "data_editor") and owner == "st" and \
                    "placeholder" not in {k.arg for k in node.keywords}:
                offenders.append(f"{path.name}:{node.lineno}: st.dataframe without placeholder (ui.show_table)")
    assert not offenders, "\n".join(offenders)
