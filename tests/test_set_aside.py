"""The rows set aside as a data administrator reads and corrects them: the export's own headers and values."""
from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from kam.app.set_aside import CODE_COLUMNS, file_name, readable
from kam.i18n import labels
from kam.storage.sql import load_sql


def rows(*records: dict) -> pd.DataFrame:
    base = {"dataset": "billing", "file": "billing_202606.csv", "line": 2, "status": "set_aside", "reason": "bad_enum",
            "column": "fee_item", "value": "roaming", "row_json": "{}", "by_file": None, "by_line": None}
    return pd.DataFrame([{**base, **r} for r in records])


def test_a_billing_row_reads_as_the_chinese_export_heads_and_writes_it():
    raw = {"bill_month": "202606", "group_id": "G1", "subscriber_id": None, "fee_item": "roaming", "amount": "12.50",
           "_file": "billing_202606.csv", "_line": 2}
    # superseded rows are kept typed: a month as its first day, a fee item as its code
    typed = {"bill_month": "2026-05-01", "group_id": "G2", "subscriber_id": "138****5678", "fee_item": "ict",
             "amount": 974.91}
    shown = readable(rows({"row_json": json.dumps(raw)},
                          {"line": 9, "status": "superseded", "reason": "superseded", "column": None, "value": None,
                           "row_json": json.dumps(typed), "by_file": "billing_202606_v2.csv", "by_line": 3}),
                     "billing", "zh")
    assert list(shown.columns) == ["文件", "行号", "状态", "原因", "问题列", "问题值", "账期", "集团编码", "用户号码",
                                   "费用科目", "金额", "替换它的文件", "替换它的行号"]
    assert shown.iloc[0][["状态", "原因", "问题列", "问题值", "账期", "费用科目", "用户号码"]].tolist() == \
        ["搁置", "取值不在允许范围", "费用科目", "roaming", "202606", "roaming", ""]
    assert shown.iloc[1][["状态", "原因", "问题列", "账期", "费用科目", "金额", "替换它的文件", "替换它的行号"]].tolist() == \
        ["被替换", "已被后导出的记录替换", "", "2026-05", "信息化(ICT)", "974.91", "billing_202606_v2.csv", 3]
    assert not shown.isin(["None", "nan", "NaN"]).any().any()


def test_in_english_the_headers_and_codes_are_the_contracts_own():
    typed = {"bill_month": "2026-05-01", "group_id": "G2", "subscriber_id": None, "fee_item": "ict", "amount": 1}
    shown = readable(rows({"row_json": json.dumps(typed)}), "billing", "en")
    assert list(shown.columns)[:6] == ["File", "Line", "Status", "Reason", "Column", "Value"]
    assert shown.iloc[0][["Status", "Reason", "Column", "bill_month", "fee_item"]].tolist() == \
        ["Set aside", "Value not allowed", "fee_item", "2026-05", "ict"]


def test_a_malformed_line_shows_its_raw_text():
    shown = readable(rows({"reason": "malformed_line", "column": None, "value": "x,y",
                           "row_json": json.dumps({"line": "202606,G1,,line,1,extra"})}), "billing", "zh")
    assert shown.iloc[0]["整行内容"] == "202606,G1,,line,1,extra"
    assert shown.iloc[0]["原因"] == "行格式错误"


def test_the_download_is_named_in_the_viewers_language():
    assert file_name("billing", "zh", ".csv") == "搁置记录_账单.csv"
    assert file_name("billing", "en", ".xlsx") == "set_aside_billing.xlsx"


MACROS = {"model": "kam_mgmt_model", "employment": "kam_employment", "sector": "kam_sector", "class": "kam_class",
          "vip_tier": "kam_vip_tier", "fee_item": "kam_fee_item", "kind": "kam_visit_kind", "theme": "kam_theme",
          "category": "kam_category", "severity": "kam_severity", "channel": "kam_channel"}


@pytest.mark.parametrize("area", sorted(set(CODE_COLUMNS.values())))
def test_each_chinese_label_a_download_writes_is_read_back_as_its_code(area):
    """A corrected download can be uploaded again: the readers take every Chinese label it writes."""
    con = duckdb.connect()
    con.execute(load_sql("staging/macros"))
    codes = {k.split(".", 1)[1]: v for k, v in labels("zh").items() if k.startswith(area + ".")}
    assert codes
    for code, label in codes.items():
        read = con.execute(f"select {MACROS[area]}($label)", {"label": label}).fetchall()[0][0]
        assert str(read) == code, (area, label, read)
