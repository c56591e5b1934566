"""One small hand-made file per rule of the export contract (../shared/spec/exports.md)."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from conftest import write_text
from kam.storage.warehouse import current_warehouse, refresh


def loaded(folder, sql):
    con = duckdb.connect(str(current_warehouse(folder)), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def set_aside(folder):
    return loaded(folder, "select dataset, file, line, \"column\", reason from set_aside_rows "
                          "where status = 'set_aside' order by file, line")


BILL_HEADER = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]


# ---------------------------------------------------------------- encodings, delimiters, formats

def test_utf8_file_loads(base_folder):
    write_text(base_folder / "billing_202606.csv", BILL_HEADER, [["202606", "G1", "", "line", "100.50"]])
    refresh(base_folder)
    assert loaded(base_folder, "select group_id, amount::double from billing") == [("G1", 100.5)]


def test_utf8_with_bom_header_is_recognised(base_folder):
    path = base_folder / "billing_202606.csv"
    write_text(path, BILL_HEADER, [["202606", "G1", "", "line", "1"]], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    refresh(base_folder)
    assert loaded(base_folder, "select count(*) from billing") == [(1,)]


def test_gbk_file_with_chinese_headers_and_labels_loads(base_folder):
    path = write_text(base_folder / "账单_202606.csv", ["账期", "集团编码", "用户号码", "费用科目", "应收金额"],
                      [["2026年6月", "G1", "13800001111", "专线", "￥1,234.50"],
                       ["2026年6月", "G2", "", "集团V网", "20"]], encoding="gbk", delimiter="|")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    refresh(base_folder)
    assert loaded(base_folder, "select group_id, fee_item, amount::double, bill_month::varchar "
                               "from billing order by group_id") == [
        ("G1", "line", 1234.5, "2026-06-01"), ("G2", "vnet", 20.0, "2026-06-01")]


@pytest.mark.parametrize("delimiter,suffix", [("|", ".txt"), ("\t", ".txt"), (";", ".csv")])
def test_delimiter_is_detected(base_folder, delimiter, suffix):
    write_text(base_folder / f"bill_202606{suffix}", BILL_HEADER,
               [["202606", "G1", "", "voice", "7"], ["202606", "G2", "", "sms", "3"]], delimiter=delimiter)
    refresh(base_folder)
    assert loaded(base_folder, "select sum(amount)::double from billing") == [(10.0,)]


def test_xlsx_first_sheet_loads_with_numbers_as_text(base_folder):
    frame = pd.DataFrame({"用户号码": [13800001111, 13900002222], "集团编码": ["G1", "G2"],
                          "入网日期": [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-02-01")],
                          "VIP等级": ["金卡", "none"]})
    frame.to_excel(base_folder / "集团成员.xlsx", index=False)
    refresh(base_folder)
    assert loaded(base_folder, "select subscriber_id, vip_tier, join_date::varchar, _line from members "
                               "order by _line") == [
        ("13800001111", "gold", "2026-01-05", 2), ("13900002222", "none", "2026-02-01", 3)]


def test_xlsx_sheet_named_like_the_dataset_is_preferred(base_folder):
    with pd.ExcelWriter(base_folder / "groups_extra.xlsx") as writer:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(writer, sheet_name="说明", index=False)
        pd.DataFrame({"group_id": ["G3"], "group_name": ["丙"], "branch_id": ["GZ"], "class": ["C类"]}).to_excel(
            writer, sheet_name="groups", index=False)
    refresh(base_folder)
    assert loaded(base_folder, "select group_id, class from groups where group_id = 'G3'") == [("G3", "C")]


def test_parquet_loads_typed_columns(base_folder):
    frame = pd.DataFrame({"visit_id": ["V1"], "manager_id": ["M1"], "group_id": ["G1"],
                          "visit_date": [pd.Timestamp("2026-06-03")], "kind": ["关怀"], "theme": ["沟通"]})
    frame.to_parquet(base_folder / "visits.parquet")
    refresh(base_folder)
    assert loaded(base_folder, "select visit_date::varchar, kind, theme, _line from visits") == [
        ("2026-06-03", "care", "communicate", 1)]


# ---------------------------------------------------------------- value forms

@pytest.mark.parametrize("text", ["2026-06-03", "2026/6/3", "20260603", "2026.06.03"])
def test_each_date_form_is_read(base_folder, text):
    write_text(base_folder / "members.csv", ["subscriber_id", "group_id", "join_date"],
               [["13800001111", "G1", text]])
    refresh(base_folder)
    assert loaded(base_folder, "select join_date::varchar from members") == [("2026-06-03",)]


@pytest.mark.parametrize("text,expected", [
    ("2026-06-03 09:05", "2026-06-03 09:05:00"), ("2026/6/3 9:05:07", "2026-06-03 09:05:07"),
    ("20260603 23:59", "2026-06-03 23:59:00"), ("2026.06.03 00:00:01", "2026-06-03 00:00:01")])
def test_each_timestamp_form_is_read(base_folder, text, expected):
    write_text(base_folder / "complaints.csv", ["ticket_id", "group_id", "category", "severity", "created_at"],
               [["T1", "G1", "fault", "1", text]])
    refresh(base_folder)
    assert loaded(base_folder, "select created_at::varchar from complaints") == [(expected,)]


@pytest.mark.parametrize("text", ["202606", "2026-06", "2026/06", "2026年6月"])
def test_each_month_form_is_read(base_folder, text):
    write_text(base_folder / "billing.csv", BILL_HEADER, [[text, "G1", "", "line", "1"]])
    refresh(base_folder)
    assert loaded(base_folder, "select bill_month::varchar from billing") == [("2026-06-01",)]


@pytest.mark.parametrize("text,expected", [("1234.5", 1234.5), ('"1,234.50"', 1234.5), ("¥1234.50", 1234.5),
                                           ('"￥1,234.50"', 1234.5), ("-12.00", -12.0)])
def test_each_amount_form_is_read(base_folder, text, expected):
    write_text(base_folder / "billing.csv", BILL_HEADER, [["202606", "G1", "", "line", text]])
    refresh(base_folder)
    assert loaded(base_folder, "select amount::double from billing") == [(expected,)]


@pytest.mark.parametrize("english,chinese", [
    ("voice", "语音"), ("data", "流量"), ("data", "数据"), ("sms", "短信"), ("line", "专线"), ("fixed", "固话"),
    ("vnet", "集团V网"), ("vnet", "短号"), ("conference", "会议电话"), ("ict", "信息化"), ("other", "其他")])
def test_fee_item_in_english_and_chinese(base_folder, english, chinese):
    write_text(base_folder / "billing.csv", BILL_HEADER,
               [["202606", "G1", "", english, "1"], ["202606", "G2", "", chinese, "1"]])
    refresh(base_folder)
    assert loaded(base_folder, "select distinct fee_item from billing") == [(english,)]


@pytest.mark.parametrize("column,values", [
    ("star_level", [("3", 3), ("三星级", 3), ("★★★", 3), ("★★", 2), ("一星级", 1)]),
    ("employment", [("staff", "staff"), ("正式", "staff"), ("社会化", "outsourced"), ("外包", "outsourced")]),
])
def test_manager_enums_in_both_languages(base_folder, column, values):
    rows = []
    for i, (text, _) in enumerate(values):
        row = {"manager_id": f"X{i}", "manager_name": "某", "branch_id": "GZ", "star_level": "1",
               "employment": "staff"}
        row[column] = text
        rows.append(list(row.values()))
    write_text(base_folder / "managers.csv", list(row.keys()), rows)
    refresh(base_folder)
    got = loaded(base_folder, f"select {column} from managers order by manager_id")
    assert [g[0] for g in got] == [v for _, v in values]


def test_complaint_enums_and_visit_enums_in_chinese(base_folder):
    write_text(base_folder / "投诉.csv", ["工单编号", "集团编码", "投诉类别", "紧急程度", "受理渠道", "受理时间"],
               [["T1", "G1", "计费差错", "紧急", "热线", "2026-06-01 10:00"],
                ["T2", "G1", "服务态度", "3", "营业厅", "2026-06-01 10:00"]])
    write_text(base_folder / "走访记录.csv", ["记录编号", "客户经理编码", "集团编码", "走访日期", "类型", "关怀主题"],
               [["V1", "M1", "G1", "2026-06-01", "来访", ""], ["V2", "M1", "G1", "2026-06-02", "友情服务", "回馈"]])
    refresh(base_folder)
    assert loaded(base_folder, "select category, severity, channel from complaints order by ticket_id") == [
        ("billing", 1, "hotline"), ("attitude", 3, "store")]
    assert loaded(base_folder, "select kind, theme from visits order by visit_id") == [
        ("received", None), ("care", "reward")]


def test_headers_ignore_case_spaces_and_bracket_width(base_folder):
    write_text(base_folder / "billing.csv", ["  BILL_MONTH ", "Group_ID", "subscriber_id", "FEE_ITEM", "amount"],
               [["202606", "G1", "", "line", "5"]])
    refresh(base_folder)
    assert loaded(base_folder, "select count(*) from billing") == [(1,)]


def test_extra_columns_are_kept_aside_not_an_error(base_folder):
    write_text(base_folder / "billing.csv", BILL_HEADER + ["备注（内部）"], [["202606", "G1", "", "line", "5", "x"]])
    refresh(base_folder)
    assert loaded(base_folder, "select extra_columns from file_manifest where file = 'billing.csv'") == [
        (["备注（内部）"],)]
    assert loaded(base_folder, "select count(*) from billing") == [(1,)]


# ---------------------------------------------------------------- rows set aside, each with its reason

@pytest.mark.parametrize("file,header,row,column,reason", [
    ("billing.csv", BILL_HEADER, ["2026-13", "G1", "", "line", "1"], "bill_month", "bad_month"),
    ("billing.csv", BILL_HEADER, ["202606", "G1", "", "roaming", "1"], "fee_item", "bad_enum"),
    ("billing.csv", BILL_HEADER, ["202606", "G1", "", "line", "12元"], "amount", "bad_amount"),
    ("billing.csv", BILL_HEADER, ["202606", "", "", "line", "1"], "group_id", "required"),
    ("billing.csv", BILL_HEADER, ["202606", "G99", "", "line", "1"], "group_id", "unknown_reference"),
    ("members.csv", ["subscriber_id", "group_id", "join_date"], ["13800001111", "G1", "2026-02-30"],
     "join_date", "bad_date"),
    ("members.csv", ["subscriber_id", "group_id", "join_date", "leave_date"],
     ["13800001111", "G1", "2026-03-01", "2026-02-01"], "leave_date", "time_order"),
    ("managers_more.csv", MANAGER_HEADER := ["manager_id", "manager_name", "branch_id", "star_level"],
     ["M9", "王五", "GZ", "5"], "star_level", "out_of_range"),
    ("managers_more.csv", MANAGER_HEADER, ["M9", "王五", "HZ", "1"], "branch_id", "unknown_reference"),
    ("groups_more.csv", ["group_id", "group_name", "branch_id", "class"], ["G9", "丁", "GZ", "D"],
     "class", "bad_enum"),
    ("groups_more.csv", ["group_id", "group_name", "branch_id", "class", "manager_id"],
     ["G9", "丁", "GZ", "C", "M404"], "manager_id", "unknown_reference"),
    ("complaints.csv", ["ticket_id", "group_id", "category", "severity", "created_at"],
     ["T1", "G1", "fault", "9", "2026-06-01 10:00"], "severity", "out_of_range"),
    ("complaints.csv", ["ticket_id", "group_id", "category", "severity", "created_at", "satisfaction"],
     ["T1", "G1", "fault", "1", "2026-06-01 10:00", "7"], "satisfaction", "out_of_range"),
    ("complaints.csv", ["ticket_id", "group_id", "category", "severity", "created_at", "first_response_at"],
     ["T1", "G1", "fault", "1", "2026-06-01 10:00", "2026-06-01 09:00"], "first_response_at", "time_order"),
    ("complaints.csv", ["ticket_id", "group_id", "category", "severity", "created_at", "resolved_at", "followup_at"],
     ["T1", "G1", "fault", "1", "2026-06-01 10:00", "2026-06-02 10:00", "2026-06-01 12:00"],
     "followup_at", "time_order"),
    ("complaints.csv", ["ticket_id", "group_id", "category", "severity", "created_at"],
     ["T1", "G1", "fault", "1", "yesterday"], "created_at", "bad_timestamp"),
    ("visits.csv", ["visit_id", "manager_id", "group_id", "visit_date", "kind"],
     ["V1", "M404", "G1", "2026-06-01", "visit"], "manager_id", "unknown_reference"),
    ("orders.csv", ["order_id", "group_id", "manager_id", "product", "visited_at", "handled_at", "contracted_at"],
     ["O1", "G1", "M1", "line", "2026-06-01 10:00", "2026-06-05 10:00", "2026-06-03 10:00"],
     "contracted_at", "stage_order"),
    ("orders.csv", ["order_id", "group_id", "manager_id", "product", "visited_at", "handled_at", "contracted_at"],
     ["O1", "G1", "M1", "line", "2026-06-01 10:00", "", "2026-06-03 10:00"], "contracted_at", "stage_order"),
])
def test_bad_row_is_set_aside_with_its_reason_once(base_folder, file, header, row, column, reason):
    good = {"billing.csv": ["202606", "G1", "", "voice", "1"]}.get(file)
    rows = [row] + ([good] if good else [])
    write_text(base_folder / file, header, rows)
    refresh(base_folder)
    assert set_aside(base_folder) == [(_dataset(file), file, 2, column, reason)]


def _dataset(file):
    from kam.storage.schema import dataset_for_file
    return dataset_for_file(file).name


def test_malformed_line_is_set_aside_and_later_lines_keep_their_numbers(base_folder):
    (base_folder / "billing.csv").write_text(
        "bill_month,group_id,subscriber_id,fee_item,amount\n"
        "202606,G1,,line,1\n202606,G1,,voice,2,surplus\n202606,G2\n202606,G2,,line,4\n")
    refresh(base_folder)
    assert set_aside(base_folder) == [("billing", "billing.csv", 3, None, "malformed_line"),
                                      ("billing", "billing.csv", 4, None, "malformed_line")]
    assert loaded(base_folder, "select _line, amount::int from billing order by _line") == [(2, 1), (5, 4)]


# ---------------------------------------------------------------- duplicates: the last file stands

def test_key_in_two_files_the_file_sorting_last_stands(base_folder):
    write_text(base_folder / "billing_202606.csv", BILL_HEADER,
               [["202606", "G1", "", "line", "100"], ["202606", "G2", "", "line", "50"]])
    write_text(base_folder / "billing_202606_v2.csv", BILL_HEADER, [["202606", "G1", "", "line", "120"]])
    refresh(base_folder)
    assert loaded(base_folder, "select group_id, amount::int, _file from billing order by group_id") == [
        ("G1", 120, "billing_202606_v2.csv"), ("G2", 50, "billing_202606.csv")]
    assert loaded(base_folder, "select file, line, by_file, by_line from set_aside_rows "
                               "where reason = 'superseded'") == [
        ("billing_202606.csv", 2, "billing_202606_v2.csv", 2)]


def test_key_twice_in_one_file_the_later_line_stands(base_folder):
    write_text(base_folder / "branches.csv", BRANCHES_HEADER := ["branch_id", "branch_name"],
               [["GZ", "广州旧"], ["SZ", "深圳"], ["GZ", "广州"]])
    refresh(base_folder)
    assert loaded(base_folder, "select branch_name from branches where branch_id = 'GZ'") == [("广州",)]
    assert loaded(base_folder, "select line from set_aside_rows where reason = 'superseded'") == [(2,)]


# ---------------------------------------------------------------- whole files that cannot be read

def test_unreadable_and_incomplete_files_are_reported_and_the_rest_loads(base_folder):
    (base_folder / "complaints_old.xlsx").write_bytes(b"this is not a zip")
    write_text(base_folder / "visits_extra.csv", ["visit_id", "manager_id", "group_id", "kind"],
               [["V1", "M1", "G1", "visit"]])
    (base_folder / "说明.txt").write_text("导出说明")
    (base_folder / "billing_empty.csv").write_bytes(b"")
    write_text(base_folder / "billing.csv", BILL_HEADER, [["202606", "G1", "", "line", "1"]])
    report = refresh(base_folder)
    outcome = {f.file: (f.status, f.error) for f in report.files}
    assert outcome["complaints_old.xlsx"][0] == "failed" and "xlsx" in outcome["complaints_old.xlsx"][1]
    assert outcome["visits_extra.csv"] == ("failed", "missing required column visit_date in visits_extra.csv")
    assert outcome["说明.txt"][0] == "unknown"
    assert outcome["billing_empty.csv"] == ("failed", "empty file")
    assert loaded(base_folder, "select count(*) from billing") == [(1,)]


def test_longest_name_start_wins():
    from kam.storage.schema import dataset_for_file
    assert dataset_for_file("集团成员_2026.csv").name == "members"
    assert dataset_for_file("集团客户.xlsx").name == "groups"
    assert dataset_for_file("billing-2026-06-north.xlsx").name == "billing"
    assert dataset_for_file("BILL_202606.CSV").name == "billing"
    assert dataset_for_file("说明.txt") is None
