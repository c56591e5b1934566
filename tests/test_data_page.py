"""AppTest: the Data page says what the readers and the refresh say in the viewer's language, with labels for codes."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import write_text
from kam.storage.warehouse import refresh

BILL_HEADER = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]


@pytest.fixture
def folder(base_folder, monkeypatch):
    write_text(base_folder / "billing.csv", BILL_HEADER, [["202606", "G1", "", "line", "1"],
                                                          ["202606", "G1", "", "roaming", "2"]])
    (base_folder / "visits_extra.csv").write_text("visit_id,manager_id,group_id,kind\nV1,M1,G1,visit\n")
    (base_folder / "complaints_old.xlsx").write_bytes(b"not a workbook")
    refresh(base_folder)
    monkeypatch.setenv("KAM_DATA", str(base_folder))
    return base_folder


def data_page(lang: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    return at


def test_files_that_cannot_be_read_are_named_with_their_reason_in_chinese(folder):
    at = data_page("zh")
    warnings = [w.value for w in at.warning]
    # names and reasons are escaped for markdown (ui.plain): visits\_extra.csv reads as itself
    assert "**visits\\_extra.csv** — 缺少必需列“走访日期”" in warnings
    assert "**complaints\\_old.xlsx** — 不是可读取的 Excel（.xlsx）工作簿：文件已损坏，或并非 Excel 文件" in warnings
    files = next(df.value for df in at.dataframe if "状态" in df.value.columns).set_index("文件")
    assert files.loc["visits_extra.csv", ["数据集", "状态", "错误"]].tolist() == ["走访记录", "失败", "缺少必需列“走访日期”"]
    assert files.loc["billing.csv", ["数据集", "状态", "编码", "分隔符"]].tolist() == ["账单", "已载入", "UTF-8", "逗号"]
    quality = next(df.value for df in at.dataframe if "原因" in df.value.columns and "行数" in df.value.columns)
    assert set(quality["原因"]) == {"取值不在允许范围", "缺少必需列", "文件无法读取"}


def test_the_same_page_in_english_keeps_the_readers_sentences(folder):
    at = data_page("en")
    warnings = [w.value for w in at.warning]
    assert "**visits\\_extra.csv** — missing required column visit\\_date in visits\\_extra.csv" in warnings


def test_the_examples_are_rows_of_the_export_under_its_chinese_headers(folder):
    at = data_page("zh")
    example = next(df.value for df in at.dataframe if "费用科目" in df.value.columns)
    assert example.iloc[0][["行号", "状态", "原因", "问题列", "问题值", "账期", "费用科目", "金额"]].tolist() == \
        [3, "搁置", "取值不在允许范围", "费用科目", "roaming", "202606", "roaming", "2"]
    assert [s.label for s in at.selectbox if s.key == "data_set_aside_dataset"] == ["数据集"]


def test_a_refresh_reports_its_progress_in_chinese(folder):
    # The page file itself: a button clicked after AppTest.switch_page does not reach the page's run.
    at = AppTest.from_file("../pages/data.py", default_timeout=60)
    at.session_state["lang"] = "zh"
    at.run()
    at.button(key="data_refresh_button").click().run()
    assert not at.exception, at.exception
    said = [m.value for m in at.markdown]
    assert "billing.csv：内容未变化，沿用上次的解析结果" in said
    assert "visits_extra.csv：内容未变化，沿用上次的解析结果" not in said  # a failed file is not "unchanged"
    assert "账单：已完成检查" in said
    assert any(s.startswith("已发布新版本数据（warehouse-") for s in said)
    assert not [s for s in said if "unchanged" in s or "checked" in s or "published" in s]
