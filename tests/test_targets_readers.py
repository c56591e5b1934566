"""The issue-14 exports read like every other (docs/exports.md): targets, contracts, arrears, the
optional county column and the new fee items — each alias, each form, each rule at its boundary."""
from __future__ import annotations

import decimal

import pytest

from conftest import write_text
from kam.figures.query import Warehouse
from kam.figures.reports import run_report
from kam.figures.settings import load_settings
from kam.storage.schema import dataset_for_file
from kam.storage.warehouse import refresh
from test_readers import loaded, set_aside

TARGET_HEADER = ["period", "branch_id", "kpi", "target"]
CONTRACT_HEADER = ["contract_id", "group_id", "product", "start_date", "end_date", "monthly_value", "renewed_from"]
ARREARS_HEADER = ["bill_month", "group_id", "amount_due", "amount_paid", "last_paid_date"]
D = decimal.Decimal


# ---------------------------------------------------------------- file names

@pytest.mark.parametrize("file,dataset", [
    ("targets_2026.csv", "targets"), ("target-q3.xlsx", "targets"), ("考核目标_2026.csv", "targets"),
    ("目标2026.csv", "targets"), ("contracts.csv", "contracts"), ("contract_2026.txt", "contracts"),
    ("合同清单.csv", "contracts"), ("协议_2026.xlsx", "contracts"), ("arrears_202606.csv", "arrears"),
    ("欠费_202606.csv", "arrears"), ("应收账款.csv", "arrears")])
def test_each_name_start_of_the_new_datasets(file, dataset):
    assert dataset_for_file(file).name == dataset


# ---------------------------------------------------------------- targets

@pytest.mark.parametrize("text", ["2026-Q3", "2026Q3", "2026q3", "2026年第3季度", "2026年三季度", "2026年第三季度"])
def test_each_quarter_form_reads_as_the_same_quarter(base_folder, text):
    write_text(base_folder / "targets.csv", TARGET_HEADER, [[text, "GZ", "revenue", "100"]])
    refresh(base_folder)
    assert loaded(base_folder, "select period from targets") == [("2026-Q3",)]


@pytest.mark.parametrize("text", ["202607", "2026-07", "2026/07", "2026年7月"])
def test_a_month_target_reads_as_the_month(base_folder, text):
    write_text(base_folder / "targets.csv", TARGET_HEADER, [[text, "GZ", "members", "100"]])
    refresh(base_folder)
    assert loaded(base_folder, "select period from targets") == [("2026-07",)]


def test_targets_with_chinese_headers_and_labels_and_a_province_row(base_folder):
    write_text(base_folder / "考核目标.csv", ["考核周期", "分公司编码", "考核指标", "目标值"],
               [["2026年三季度", "GZ", "收入", '"1,200,000"'], ["2026-Q3", "", "收入", "￥3000000"],
                ["2026-Q3", "SZ", "走访达标率", "85%"], ["2026-Q3", "SZ", "成员流失率", "0.012"],
                ["2026-Q3", "GZ", "开通工单", "12"], ["2026-Q3", "GZ", "星级匹配率", "100%"],
                ["2026-Q3", "GZ", "按时解决率", "0.9"], ["2026-Q3", "GZ", "在册成员", "300"],
                ["2026-Q3", "GZ", "ARPU", "88.5"]], encoding="gbk")
    refresh(base_folder)
    assert loaded(base_folder, "select branch_id, kpi, target from targets order by _line") == [
        ("GZ", "revenue", D("1200000")), (None, "revenue", D("3000000")), ("SZ", "visit_compliance", D("0.85")),
        ("SZ", "member_churn_rate", D("0.012")), ("GZ", "orders_activated", D("12")),
        ("GZ", "star_fit_rate", D("1")), ("GZ", "sla_resolve_compliance", D("0.9")), ("GZ", "members", D("300")),
        ("GZ", "arpu", D("88.5"))]
    assert set_aside(base_folder) == []


def test_85_percent_is_0_85_and_a_rate_at_0_or_1_loads(base_folder):
    write_text(base_folder / "targets.csv", TARGET_HEADER,
               [["2026-Q3", "GZ", "visit_compliance", "85%"], ["2026-Q3", "SZ", "visit_compliance", "1"],
                ["2026-Q3", "GZ", "member_churn_rate", "0"], ["2026-Q3", "SZ", "star_fit_rate", "100%"]])
    refresh(base_folder)
    assert [float(v) for (v,) in loaded(base_folder, "select target from targets order by _line")] == [
        0.85, 1.0, 0.0, 1.0]


@pytest.mark.parametrize("row,column,reason", [
    (["2026-Q3", "GZ", "visit_compliance", "1.2"], "target", "out_of_range"),
    (["2026-Q3", "GZ", "member_churn_rate", "120%"], "target", "out_of_range"),
    (["2026-Q3", "GZ", "star_fit_rate", "-0.1"], "target", "out_of_range"),
    (["2026-Q3", "GZ", "revenue", "80%"], "target", "bad_number"),
    (["2026-Q3", "GZ", "revenue", "一百万"], "target", "bad_number"),
    (["2026-Q3", "GZ", "revenue", ""], "target", "required"),
    (["2026-Q5", "GZ", "revenue", "1"], "period", "bad_period"),
    (["2026年下半年", "GZ", "revenue", "1"], "period", "bad_period"),
    (["", "GZ", "revenue", "1"], "period", "required"),
    (["2026-Q3", "GZ", "profit", "1"], "kpi", "bad_enum"),
    (["2026-Q3", "HZ", "revenue", "1"], "branch_id", "unknown_reference"),
])
def test_a_bad_target_is_set_aside_with_its_reason(base_folder, row, column, reason):
    write_text(base_folder / "targets.csv", TARGET_HEADER, [row, ["2026-Q3", "GZ", "members", "10"]])
    refresh(base_folder)
    assert set_aside(base_folder) == [("targets", "targets.csv", 2, column, reason)]
    assert loaded(base_folder, "select kpi from targets") == [("members",)]


def test_a_target_written_again_in_another_form_supersedes(base_folder):
    write_text(base_folder / "targets_1.csv", TARGET_HEADER,
               [["2026Q3", "GZ", "revenue", "100"], ["2026Q3", "", "revenue", "300"]])
    write_text(base_folder / "targets_2.csv", TARGET_HEADER,
               [["2026年三季度", "GZ", "revenue", "120"], ["2026-Q3", "", "revenue", "350"]])
    refresh(base_folder)
    assert loaded(base_folder, "select branch_id, target::int, _file from targets order by branch_id") == [
        ("GZ", 120, "targets_2.csv"), (None, 350, "targets_2.csv")]
    assert loaded(base_folder, "select file, line from set_aside_rows where reason = 'superseded' order by line") == [
        ("targets_1.csv", 2), ("targets_1.csv", 3)]


# ---------------------------------------------------------------- contracts

def test_contracts_with_chinese_headers_and_new_products(base_folder):
    write_text(base_folder / "协议.csv", ["协议编号", "集团编码", "产品", "生效日期", "失效日期", "月合同金额", "续签自"],
               [["C1", "G1", "5G专网", "2025-07-01", "2026-06-30", "\"¥8,000\"", ""],
                ["C2", "G1", "5G专网", "2026-07-01", "2027-06-30", "8500", "C1"],
                ["C3", "G2", "移动云", "2026-01-01", "2026-01-01", "", ""]])
    write_text(base_folder / "合同_2.csv", ["合同编号", "集团编码", "产品", "生效日期", "到期日期"],
               [["C4", "G2", "物联网", "2026/1/1", "2026/12/31"], ["C5", "G2", "数据中心", "20260101", "20261231"]])
    refresh(base_folder)
    assert loaded(base_folder, "select contract_id, product, end_date::varchar, monthly_value, renewed_from "
                               "from contracts order by contract_id") == [
        ("C1", "5g_private", "2026-06-30", D("8000.00"), None), ("C2", "5g_private", "2027-06-30", D("8500.00"), "C1"),
        ("C3", "cloud", "2026-01-01", None, None), ("C4", "iot", "2026-12-31", None, None),
        ("C5", "idc", "2026-12-31", None, None)]
    assert set_aside(base_folder) == []


@pytest.mark.parametrize("row,column,reason", [
    (["C9", "G1", "line", "2026-07-01", "2026-06-30", "", ""], "end_date", "time_order"),
    (["C9", "G1", "line", "2026-07-01", "", "", ""], "end_date", "required"),
    (["C9", "G1", "line", "2026-07-01", "2026-13-01", "", ""], "end_date", "bad_date"),
    (["C9", "G1", "卫星", "2026-07-01", "2027-06-30", "", ""], "product", "bad_enum"),
    (["C9", "G1", "line", "2026-07-01", "2027-06-30", "八千", ""], "monthly_value", "bad_amount"),
    (["C9", "G404", "line", "2026-07-01", "2027-06-30", "", ""], "group_id", "unknown_reference"),
    (["C9", "G1", "line", "2026-07-01", "2027-06-30", "", "C404"], "renewed_from", "unknown_reference"),
])
def test_a_bad_contract_is_set_aside_with_its_reason(base_folder, row, column, reason):
    write_text(base_folder / "contracts.csv", CONTRACT_HEADER,
               [row, ["C1", "G1", "line", "2025-07-01", "2026-06-30", "100", ""]])
    refresh(base_folder)
    assert set_aside(base_folder) == [("contracts", "contracts.csv", 2, column, reason)]


def test_a_renewal_of_a_contract_set_aside_is_an_unknown_reference(base_folder):
    write_text(base_folder / "contracts.csv", CONTRACT_HEADER,
               [["C1", "G1", "line", "2025-07-01", "2025-06-30", "", ""],
                ["C2", "G1", "line", "2026-07-01", "2027-06-30", "", "C1"]])
    refresh(base_folder)
    assert set_aside(base_folder) == [("contracts", "contracts.csv", 2, "end_date", "time_order"),
                                      ("contracts", "contracts.csv", 3, "renewed_from", "unknown_reference")]


# ---------------------------------------------------------------- arrears

def test_arrears_paid_equal_to_due_loads_and_chinese_headers(base_folder):
    write_text(base_folder / "欠费_202606.csv", ["账期", "集团编码", "应收金额", "已缴金额", "最近缴费日期"],
               [["2026年6月", "G1", "\"1,000.00\"", "1000", "2026-07-05"], ["202605", "G2", "500", "0", ""]])
    write_text(base_folder / "应收_202604.csv", ["账期", "集团编码", "应收金额", "实收金额"],
               [["2026-04", "G2", "0", "0"]])
    refresh(base_folder)
    assert loaded(base_folder, "select bill_month::varchar, group_id, amount_due, amount_paid, "
                               "last_paid_date::varchar from arrears order by bill_month") == [
        ("2026-04-01", "G2", D("0.00"), D("0.00"), None), ("2026-05-01", "G2", D("500.00"), D("0.00"), None),
        ("2026-06-01", "G1", D("1000.00"), D("1000.00"), "2026-07-05")]
    assert set_aside(base_folder) == []


@pytest.mark.parametrize("row,column,reason", [
    (["202606", "G1", "100", "100.01"], "amount_paid", "out_of_range"),
    (["202606", "G1", "100", "-1"], "amount_paid", "out_of_range"),
    (["202606", "G1", "-100", "0"], "amount_due", "out_of_range"),
    (["202606", "G1", "一百", "0"], "amount_due", "bad_amount"),
    (["202606", "G1", "100", ""], "amount_paid", "required"),
    (["2026-13", "G1", "100", "0"], "bill_month", "bad_month"),
    (["202606", "G404", "100", "0"], "group_id", "unknown_reference"),
])
def test_a_bad_arrears_row_is_set_aside_with_its_reason(base_folder, row, column, reason):
    write_text(base_folder / "arrears.csv", ARREARS_HEADER[:4], [row, ["202605", "G1", "10", "5"]])
    refresh(base_folder)
    assert set_aside(base_folder) == [("arrears", "arrears.csv", 2, column, reason)]


# ---------------------------------------------------------------- county, new fee items, absent datasets

def test_county_is_read_from_either_header_and_is_empty_when_absent(base_folder):
    write_text(base_folder / "groups.csv", ["group_id", "group_name", "branch_id", "class", "区县"],
               [["G1", "甲", "GZ", "A", "天河区"], ["G2", "乙", "SZ", "B", ""]])
    write_text(base_folder / "managers.csv", ["manager_id", "manager_name", "branch_id", "star_level", "营业部"],
               [["M1", "张三", "GZ", "3", "天河区"], ["M2", "李四", "SZ", "2", "南山区"]])
    refresh(base_folder)
    assert loaded(base_folder, "select group_id, county from groups order by 1") == [("G1", "天河区"), ("G2", None)]
    assert loaded(base_folder, "select manager_id, county from managers order by 1") == [
        ("M1", "天河区"), ("M2", "南山区")]


def test_without_a_county_column_county_is_null(base_folder):
    refresh(base_folder)
    assert loaded(base_folder, "select count(*) from groups where county is not null") == [(0,)]


@pytest.mark.parametrize("english,chinese", [
    ("cloud", "移动云"), ("cloud", "云"), ("iot", "物联网"), ("5g_private", "5G专网"), ("5g_private", "5g专网"),
    ("idc", "IDC"), ("idc", "数据中心")])
def test_new_fee_items_in_english_and_chinese(base_folder, english, chinese):
    write_text(base_folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202606", "G1", "", english, "1"], ["202606", "G2", "", chinese, "1"]])
    refresh(base_folder)
    assert loaded(base_folder, "select distinct fee_item from billing") == [(english,)]


def test_without_the_optional_datasets_everything_loads_and_their_tables_are_empty(base_folder):
    write_text(base_folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202606", "G1", "", "line", "1"]])
    report = refresh(base_folder)
    assert report.loaded_anything
    for table in ("targets", "contracts", "arrears"):
        assert loaded(base_folder, f"select count(*) from {table}") == [(0,)], table


def test_the_quality_report_lists_the_new_datasets_reasons(base_folder):
    write_text(base_folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202606", "G1", "", "line", "1"]])
    write_text(base_folder / "targets.csv", TARGET_HEADER, [["2026-Q3", "GZ", "visit_compliance", "1.2"]])
    write_text(base_folder / "contracts.csv", CONTRACT_HEADER[:5], [["C1", "G1", "line", "2026-07-01", "2026-06-30"]])
    write_text(base_folder / "arrears.csv", ARREARS_HEADER[:4], [["202606", "G1", "100", "120"]])
    refresh(base_folder)
    quality = run_report(Warehouse(base_folder, load_settings()), "quality")
    assert sorted(map(tuple, quality[["dataset", "file", "reason", "rows"]].values.tolist())) == [
        ("arrears", "arrears.csv", "out_of_range", 1), ("contracts", "contracts.csv", "time_order", 1),
        ("targets", "targets.csv", "out_of_range", 1)]
