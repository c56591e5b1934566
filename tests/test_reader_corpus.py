"""A corpus of malformed exports, written by a fixture (no binary files in the repository).

Every case is one or more files in ONE export folder, refreshed ONCE in a child process under a
memory limit: a file that crashed the reader, the refresh or the process would fail every case.
Each case then says, by hand, what must have become of its files: the rows loaded with exactly
their values, the rows set aside with their physical line, column and reason, the files not
loaded with their reason, and that rows read = loaded + set aside + superseded.
"""
from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from conftest import BRANCHES, GROUPS, MANAGERS, write_text

REPO = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 6 << 30  # address space of the refresh process (DuckDB reserves some on start)

BILL = "bill_month,group_id,subscriber_id,fee_item,amount"
GROUP = "group_id,group_name,branch_id,class,manager_id"
GROUP_ZH = "集团编码,集团名称,分公司编码,集团等级,客户经理编码"
MANAGER = "manager_id,manager_name,branch_id,star_level"
COMPLAINT = "ticket_id,group_id,category,severity,created_at,satisfaction"


@dataclass
class Case:
    name: str
    files: dict  # file name (str, or bytes for names that are not UTF-8) → content (bytes) or a writer
    # shown file name → {physical line: {column: value as varchar}}
    loaded: dict = field(default_factory=dict)
    # (shown file name, line, column or None, reason)
    aside: list = field(default_factory=list)
    # shown file name → reason code(s) of a file not loaded
    failed: dict = field(default_factory=dict)
    superseded: dict = field(default_factory=dict)  # shown file name → rows superseded
    loaded_count: int | None = None  # rows loaded, where `loaded` lists only some of them


def text(*lines: str, eol: str = "\n", encoding: str = "utf-8", end: bool = True) -> bytes:
    return (eol.join(lines) + (eol if end else "")).encode(encoding)


def bill(month="202606", group="G1", sub="", fee="line", amount="1"):
    return f"{month},{group},{sub},{fee},{amount}"


def amt(v: str) -> dict:
    return {"amount": v}


CASES: list[Case] = []


def case(*args, **kwargs):
    CASES.append(Case(*args, **kwargs))


# ---------------------------------------------------------------- encodings

case("utf8_clean", {"billing_c01.csv": text(BILL, bill(sub="S0101", fee="专线", amount="10.50"),
                                                    bill(sub="S0102", fee="语音", amount="2"))},
     loaded={"billing_c01.csv": {2: {"fee_item": "line", "amount": "10.50"},
                                 3: {"fee_item": "voice", "amount": "2.00"}}})
case("utf8_bom_crlf", {"billing_c02.csv": b"\xef\xbb\xbf" + text(BILL, bill(sub="S0201", amount="3"), eol="\r\n")},
     loaded={"billing_c02.csv": {2: amt("3.00")}})
case("gbk_clean_chinese_headers",
     {"集团客户_c03.csv": text(GROUP_ZH, "G0301,增城教育,GZ,A类,M1", "G0302,番禺医院,SZ,B,M2", encoding="gbk")},
     loaded={"集团客户_c03.csv": {2: {"group_name": "增城教育", "class": "A"},
                                  3: {"group_name": "番禺医院", "class": "B"}}})
# The text of 增城教育 in UTF-8 is also valid GBK (澧炲煄鏁欒偛): one stray byte must not make it GBK.
case("utf8_one_stray_byte",
     {"groups_c04.csv": text(GROUP, "G0401,增城教育,GZ,A,M1", "G0402,天河集团,GZ,B,M1").replace(b"G0402,", b"G0402\xff,")
      + text("G0403,越秀公司,SZ,C,M2")},
     loaded={"groups_c04.csv": {2: {"group_name": "增城教育"}, 4: {"group_name": "越秀公司"}}},
     aside=[("groups_c04.csv", 3, None, "bad_encoding")])
case("gbk_few_bad_bytes",
     {"groups_c05.csv": text(GROUP, "G0501,增城教育,GZ,A,M1", encoding="gbk") + b"G0502,\x81\x20bad,GZ,B,M1\n"
      + text("G0503,越秀公司,SZ,C,M2", "G0504,白云物流,SZ,C,M2", encoding="gbk")},
     loaded={"groups_c05.csv": {2: {"group_name": "增城教育"}, 4: {"group_name": "越秀公司"},
                                5: {"group_name": "白云物流"}}},
     aside=[("groups_c05.csv", 3, None, "bad_encoding")])
# More than a megabyte of ASCII before the first Chinese row.
_ASCII_ROWS = [f"G06{i:05d},Plain Group {i:05d} Ltd,GZ,C,M1" for i in range(30000)]
case("gbk_after_ascii_megabyte",
     {"groups_c06.csv": text(GROUP, *_ASCII_ROWS, "G0699999,海珠区教育局,GZ,A,M1", encoding="gbk")},
     loaded={"groups_c06.csv": {2: {"group_name": "Plain Group 00000 Ltd"},
                                30001: {"group_name": "Plain Group 29999 Ltd"},
                                30002: {"group_name": "海珠区教育局", "class": "A"}}}, loaded_count=30001)
case("utf8_after_ascii_megabyte_with_stray_byte",
     {"groups_c07.csv": text(GROUP, *[r.replace("G06", "G07") for r in _ASCII_ROWS[:30000]])
      + b"G0799998,\xe5\xa2\x9e\xff,GZ,A,M1\n" + text("G0799999,荔湾集团,GZ,A,M1")},
     loaded={"groups_c07.csv": {30003: {"group_name": "荔湾集团"}}},
     aside=[("groups_c07.csv", 30002, None, "bad_encoding")], loaded_count=30001)
case("utf16_file", {"billing_c08.csv": text(BILL, bill(sub="S0801"), encoding="utf-16")},
     failed={"billing_c08.csv": {"not_text"}})
case("binary_named_csv", {"billing_c09.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8},
     failed={"billing_c09.csv": {"not_text", "missing_column", "no_header"}})
case("empty_file", {"billing_c10.csv": b""}, failed={"billing_c10.csv": {"empty_file"}})
case("header_only", {"billing_c11.csv": text(BILL)}, loaded={"billing_c11.csv": {}})
case("gb18030_four_byte_char",  # 𠀀 needs four bytes in GB18030
     {"groups_c12.csv": text(GROUP, "G1201,𠀀集团,GZ,A,M1", encoding="gb18030")},
     loaded={"groups_c12.csv": {2: {"group_name": "𠀀集团"}}})

# ---------------------------------------------------------------- line endings, blank lines

case("crlf", {"billing_c13.csv": text(BILL, bill(sub="S1301", amount="1"), bill(sub="S1302", amount="2"), eol="\r\n")},
     loaded={"billing_c13.csv": {2: amt("1.00"), 3: amt("2.00")}})
case("mixed_crlf_lf",
     {"billing_c14.csv": (BILL + "\r\n" + bill(sub="S1401", amount="1") + "\n" + bill(sub="S1402", amount="2")
                          + "\r\n" + bill(sub="S1403", amount="3") + "\n").encode()},
     loaded={"billing_c14.csv": {2: amt("1.00"), 3: amt("2.00"), 4: amt("3.00")}})
case("cr_only", {"billing_c15.csv": text(BILL, bill(sub="S1501", amount="5"), bill(sub="S1502", amount="6"), eol="\r")},
     loaded={"billing_c15.csv": {2: amt("5.00"), 3: amt("6.00")}})
case("no_final_newline", {"billing_c16.csv": text(BILL, bill(sub="S1601", amount="7"), end=False)},
     loaded={"billing_c16.csv": {2: amt("7.00")}})
case("blank_lines_then_bad_row",
     {"billing_c17.csv": text(BILL, bill(sub="S1701", amount="1"), "", "", bill(sub="S1702", amount="x"),
                              "   ", bill(sub="S1703", amount="3"))},
     loaded={"billing_c17.csv": {2: amt("1.00"), 7: amt("3.00")}},
     # an empty line is no record; a line of spaces is a line without the header's cells
     aside=[("billing_c17.csv", 5, "amount", "bad_amount"), ("billing_c17.csv", 6, None, "malformed_line")])
case("mixed_endings_gbk",
     {"集团_c18.csv": (GROUP_ZH + "\r\nG1801,增城教育,GZ,A,M1\nG1802,越秀公司,GZ,B,M1\r\n").encode("gbk")},
     loaded={"集团_c18.csv": {2: {"group_name": "增城教育"}, 3: {"group_name": "越秀公司"}}})

# ---------------------------------------------------------------- quoting

case("quoted_thousands", {"billing_c19.csv": text(BILL, '202606,G1,S1901,line,"1,234.50"')},
     loaded={"billing_c19.csv": {2: amt("1234.50")}})
case("multiline_quoted_field_then_bad_row",
     {"groups_c20.csv": text(GROUP, 'G2001,"甲\n乙\n丙",GZ,A,M1', "G2002,丁,GZ,Z,M1", "G2003,戊,GZ,B,M1")},
     loaded={"groups_c20.csv": {2: {"group_name": "甲\n乙\n丙"}, 6: {"group_name": "戊"}}},
     aside=[("groups_c20.csv", 5, "class", "bad_enum")])
case("unbalanced_quote",
     {"billing_c21.csv": text(BILL, *[bill(sub=f"S21{i:02d}", amount=str(i)) if i != 3
                                      else f'202606,G1,"S21{i:02d},line,{i}' for i in range(1, 25)])},
     loaded={"billing_c21.csv": {i + 1: amt(f"{i}.00") for i in range(1, 25) if i != 3}},
     aside=[("billing_c21.csv", 4, None, "malformed_line")])
case("doubled_quotes", {"groups_c22.csv": text(GROUP, 'G2201,"A ""B"" C",GZ,A,M1')},
     loaded={"groups_c22.csv": {2: {"group_name": 'A "B" C'}}})
case("quoted_header_and_empty_quoted_cells",
     {"billing_c23.csv": text('"bill_month","group_id","subscriber_id","fee_item","amount"',
                              '"202606","G1","","line","8"')},
     loaded={"billing_c23.csv": {2: {"amount": "8.00", "subscriber_id": None}}})
case("unbalanced_quote_last_line",
     {"billing_c24.csv": text(BILL, bill(sub="S2401", amount="1"), '202606,G1,S2402,line,"2')},
     loaded={"billing_c24.csv": {2: amt("1.00")}},
     aside=[("billing_c24.csv", 3, None, "malformed_line")])

# ---------------------------------------------------------------- ragged lines

case("too_many_cells", {"billing_c25.csv": text(BILL, bill(sub="S2501"), bill(sub="S2502") + ",extra",
                                                bill(sub="S2503", amount="3"))},
     loaded={"billing_c25.csv": {2: amt("1.00"), 4: amt("3.00")}},
     aside=[("billing_c25.csv", 3, None, "malformed_line")])
case("too_few_cells", {"billing_c26.csv": text(BILL, "202606,G1", bill(sub="S2602", amount="2"))},
     loaded={"billing_c26.csv": {3: amt("2.00")}},
     aside=[("billing_c26.csv", 2, None, "malformed_line")])
case("ragged_after_multiline",
     {"groups_c27.csv": text(GROUP, 'G2701,"多\n行",GZ,A,M1', "G2702,短", "G2703,好,GZ,A,M1")},
     loaded={"groups_c27.csv": {2: {"group_name": "多\n行"}, 5: {"group_name": "好"}}},
     aside=[("groups_c27.csv", 4, None, "malformed_line")])
case("pipe_delimited_ragged", {"billing_c28.txt": text(BILL.replace(",", "|"), "202606|G1|S2801|line|4|x",
                                                       "202606|G1|S2802|line|5")},
     loaded={"billing_c28.txt": {3: amt("5.00")}}, aside=[("billing_c28.txt", 2, None, "malformed_line")])

# ---------------------------------------------------------------- shapes

case("totals_row_in_a_text_column",
     {"billing_c29.csv": text(BILL, bill(sub="S2901", amount="1"), bill(sub="S2902", amount="2"),
                              "202606,合计,,line,3")},
     loaded={"billing_c29.csv": {2: amt("1.00"), 3: amt("2.00")}},
     aside=[("billing_c29.csv", 4, "group_id", "totals_row")])
case("totals_row_first_cell", {"billing_c30.csv": text(BILL, bill(sub="S3001", amount="1"), "总计,,,,1")},
     loaded={"billing_c30.csv": {2: amt("1.00")}}, aside=[("billing_c30.csv", 3, "bill_month", "totals_row")])
case("header_repeated_mid_file",
     {"billing_c31.csv": text(BILL, bill(sub="S3101", amount="1"), BILL, bill(sub="S3102", amount="2"))},
     loaded={"billing_c31.csv": {2: amt("1.00"), 4: amt("2.00")}},
     aside=[("billing_c31.csv", 3, None, "repeated_header")])
case("chinese_header_repeated_mid_file",
     {"账单_c32.csv": text("账期,集团编码,用户号码,费用科目,应收金额", "202606,G1,S3201,专线,1",
                          "账期,集团编码,用户号码,费用科目,应收金额", encoding="gbk")},
     loaded={"账单_c32.csv": {2: amt("1.00")}}, aside=[("账单_c32.csv", 3, None, "repeated_header")])
case("duplicate_header_names",
     {"billing_c33.csv": text(BILL + ",amount", bill(sub="S3301", amount="1") + ",999")},
     loaded={"billing_c33.csv": {2: amt("1.00")}})
case("missing_required_column", {"billing_c34.csv": text("bill_month,group_id,fee_item", "202606,G1,line")},
     failed={"billing_c34.csv": {"missing_column"}})

# ---------------------------------------------------------------- value forms

def _amounts(n: int, forms: list[tuple[str, str | None]]) -> Case:
    name = f"billing_c{n}.csv"
    rows = [f'202606,G1,S{n}{i:02d},line,"{form}"' for i, (form, _) in enumerate(forms)]
    return Case(f"amounts_{n}", {name: text(BILL, *rows)},
                loaded={name: {i + 2: amt(v) for i, (_, v) in enumerate(forms) if v is not None}},
                aside=[(name, i + 2, "amount", "bad_amount") for i, (_, v) in enumerate(forms) if v is None])


CASES += [
    _amounts(35, [("12,50", None), ("1,2,3", None), ("1,234", "1234.00"), ("1,234,567.89", "1234567.89")]),
    _amounts(36, [("1e3", None), ("1_000", None), ("0x10", None), ("+5", None), (".5", None)]),
    _amounts(37, [("¥1234.50", "1234.50"), ("￥1,234.50", "1234.50"), ("-12.00", "-12.00"), (" 12.5 ", "12.50")]),
    _amounts(38, [("１２", None), ("12.5元", None), ("1,23.5", None), ("12,345,67", None), ("--5", None)]),
]
case("amount_empty_is_required", {"billing_c39.csv": text(BILL, "202606,G1,S3901,line,")},
     aside=[("billing_c39.csv", 2, "amount", "required")], loaded={"billing_c39.csv": {}})
case("star_level_forms",
     {"managers_c40.csv": text(MANAGER, "M4001,甲,GZ,2.5", "M4002,乙,GZ,3.0", "M4003,丙,GZ,★★", "M4004,丁,GZ,4",
                               "M4005,戊,GZ,1.00", "M4006,己,GZ,2.")},
     loaded={"managers_c40.csv": {3: {"star_level": "3"}, 4: {"star_level": "2"}, 6: {"star_level": "1"}}},
     aside=[("managers_c40.csv", 2, "star_level", "bad_number"), ("managers_c40.csv", 5, "star_level", "out_of_range"),
            ("managers_c40.csv", 7, "star_level", "bad_number")])
case("severity_and_satisfaction_forms",
     {"complaints_c41.csv": text(COMPLAINT, "T4101,G1,fault,1.4,2026-06-01 09:00,", "T4102,G1,fault,2,2026-06-01 09:00,4.5",
                                 "T4103,G1,fault,紧急,2026-06-01 09:00,5", "T4104,G1,fault,3.0,2026-06-01 09:00,4.0")},
     loaded={"complaints_c41.csv": {4: {"severity": "1", "satisfaction": "5"},
                                    5: {"severity": "3", "satisfaction": "4"}}},
     aside=[("complaints_c41.csv", 2, "severity", "bad_number"), ("complaints_c41.csv", 3, "satisfaction", "bad_number")])
case("month_forms",
     {"billing_c42.csv": text(BILL, bill("2026-6", sub="S4201"), bill("2026-13", sub="S4202"),
                              bill("26年6月", sub="S4203"), bill("2026年06月", sub="S4204"))},
     loaded={"billing_c42.csv": {2: {"bill_month": "2026-06-01"}, 5: {"bill_month": "2026-06-01"}}},
     aside=[("billing_c42.csv", 3, "bill_month", "bad_month"), ("billing_c42.csv", 4, "bill_month", "bad_month")])
case("timestamp_forms",
     {"complaints_c43.csv": text(COMPLAINT, "T4301,G1,fault,1,2026-06-03 25:00,", "T4302,G1,fault,1,2026/6/3 9:05:07,",
                                 "T4303,G1,fault,1,2026-02-30 10:00,")},
     loaded={"complaints_c43.csv": {3: {"created_at": "2026-06-03 09:05:07"}}},
     aside=[("complaints_c43.csv", 2, "created_at", "bad_timestamp"),
            ("complaints_c43.csv", 4, "created_at", "bad_timestamp")])
case("superseded_within_a_file",
     {"billing_c44.csv": text(BILL, bill(sub="S4401", amount="1"), bill(sub="S4401", amount="2"))},
     loaded={"billing_c44.csv": {3: amt("2.00")}}, superseded={"billing_c44.csv": 1})

# ---------------------------------------------------------------- spreadsheets

def xlsx(sheets: dict[str, list[list]], merge: str | None = None) -> bytes:
    import openpyxl
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if merge:
            sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def patch_sheet(data: bytes, old: bytes, new: bytes, sheet: str = "xl/worksheets/sheet1.xml") -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == sheet:
                assert old in body, body[:400]
                body = body.replace(old, new, 1)
            dst.writestr(info, body)
    return out.getvalue()


BILL_COLS = BILL.split(",")
_XL = xlsx({"Sheet1": [BILL_COLS, ["202606", "G1", "S4501", "line", 12.5], ["202606", "G1", "S4502", "line", 3.0]]})

case("xlsx_plain", {"billing_c45.xlsx": _XL}, loaded={"billing_c45.xlsx": {2: amt("12.50"), 3: amt("3.00")}})
case("xlsx_merged_title_row",
     {"billing_c46.xlsx": xlsx({"Sheet1": [["2026年6月账单", None, None, None, None], BILL_COLS,
                                           ["202606", "G1", "S4601", "line", 1]]}, merge="A1:E1")},
     failed={"billing_c46.xlsx": {"missing_column"}})
case("xlsx_blank_first_rows",
     {"billing_c47.xlsx": xlsx({"Sheet1": [[None], [None], BILL_COLS, ["202606", "G1", "S4701", "line", 4]]})},
     loaded={"billing_c47.xlsx": {4: amt("4.00")}})
case("xlsx_formula_without_cached_value",
     {"billing_c48.xlsx": xlsx({"Sheet1": [BILL_COLS, ["202606", "G1", "S4801", "line", "=1+2"],
                                           ["202606", "G1", "S4802", "line", 5]]})},
     loaded={"billing_c48.xlsx": {3: amt("5.00")}}, aside=[("billing_c48.xlsx", 2, "amount", "required")])
case("xlsx_several_sheets",
     {"billing_c49.xlsx": xlsx({"说明": [["note"], ["cover"]],
                               "账单": [BILL_COLS, ["202606", "G1", "S4901", "line", 6]]})},
     loaded={"billing_c49.xlsx": {2: amt("6.00")}})
case("xlsx_corrupt_zip", {"billing_c50.xlsx": _XL[: len(_XL) // 2]}, failed={"billing_c50.xlsx": {"bad_xlsx"}})
case("xlsx_huge_declared_dimension",
     {"billing_c51.xlsx": patch_sheet(_XL, b'<dimension ref="A1:E3" />', b'<dimension ref="A1:XFD1048576"/>')},
     failed={"billing_c51.xlsx": {"xlsx_too_large"}})
case("xlsx_cell_far_away_without_dimension",
     {"billing_c52.xlsx": patch_sheet(patch_sheet(_XL, b'<dimension ref="A1:E3" />', b""),
                                      b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>'
                                      b"</sheetData>")},
     failed={"billing_c52.xlsx": {"xlsx_too_large", "bad_xlsx"}})
case("csv_named_xlsx", {"billing_c53.xlsx": text(BILL, bill(sub="S5301"))}, failed={"billing_c53.xlsx": {"bad_xlsx"}})
case("xlsx_star_level_numbers",
     {"managers_c54.xlsx": xlsx({"Sheet1": [MANAGER.split(","), ["M5401", "甲", "GZ", 2.0], ["M5402", "乙", "GZ", 2.5]]})},
     loaded={"managers_c54.xlsx": {2: {"star_level": "2"}}}, aside=[("managers_c54.xlsx", 3, "star_level", "bad_number")])

# ---------------------------------------------------------------- parquet


def parquet(columns: dict) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out)
    return out.getvalue()


case("parquet_nested_extra_column",
     {"billing_c55.parquet": lambda: parquet({"bill_month": ["202606"], "group_id": ["G1"], "subscriber_id": ["S5501"],
                                              "fee_item": ["line"], "amount": ["9"], "tags": [["a", "b"]]})},
     loaded={"billing_c55.parquet": {1: amt("9.00")}})
case("parquet_nested_required_column",
     {"billing_c56.parquet": lambda: parquet({"bill_month": ["202606"], "group_id": ["G1"], "fee_item": ["line"],
                                              "amount": [{"value": 1.0, "currency": "CNY"}]})},
     failed={"billing_c56.parquet": {"nested_column"}})
case("parquet_typed_numbers",
     {"billing_c57.parquet": lambda: parquet({"bill_month": [202606, 202606], "group_id": ["G1", "G1"],
                                              "subscriber_id": ["S5701", "S5702"], "fee_item": ["line", "line"],
                                              "amount": [12.5, 0.1 + 0.2]})},
     loaded={"billing_c57.parquet": {1: amt("12.50"), 2: amt("0.30")}})
case("parquet_int_star_level",
     {"managers_c58.parquet": lambda: parquet({"manager_id": ["M5801", "M5802"], "manager_name": ["甲", "乙"],
                                               "branch_id": ["GZ", "GZ"], "star_level": [2, 7]})},
     loaded={"managers_c58.parquet": {1: {"star_level": "2"}}},
     aside=[("managers_c58.parquet", 2, "star_level", "out_of_range")])
case("parquet_truncated", {"billing_c59.parquet": lambda: parquet({"bill_month": ["202606"]})[:40]},
     failed={"billing_c59.parquet": {"bad_parquet"}})
case("random_bytes_named_parquet", {"billing_c60.parquet": bytes(range(256)) * 4},
     failed={"billing_c60.parquet": {"bad_parquet"}})
case("parquet_map_column",
     {"billing_c61.parquet": lambda: parquet({"bill_month": ["202606"], "group_id": ["G1"], "fee_item": ["line"],
                                              "amount": ["1"], "subscriber_id": ["S6101"],
                                              "attrs": pa.array([[("k", "v")]], type=pa.map_(pa.string(), pa.string()))})},
     loaded={"billing_c61.parquet": {1: amt("1.00")}})

# ---------------------------------------------------------------- hostile names

case("gbk_bytes_name", {"账单_c62.csv".encode("gbk"): text(BILL, bill(sub="S6201", amount="62"))},
     loaded={"账单_c62.csv": {2: amt("62.00")}})
case("invalid_utf8_name", {b"billing_c63_\xff\xfe.csv": text(BILL, bill(sub="S6301", amount="63"))},
     loaded={"billing_c63_\\xff\\xfe.csv": {2: amt("63.00")}})
case("shell_characters_name", {"billing_c64 $(touch x); 'a' \"b\" `c`.csv": text(BILL, bill(sub="S6401", amount="64"))},
     loaded={"billing_c64 $(touch x); 'a' \"b\" `c`.csv": {2: amt("64.00")}})
case("newline_in_name", {"billing_c65\nx.csv": text(BILL, bill(sub="S6501", amount="65"))},
     loaded={"billing_c65\\nx.csv": {2: amt("65.00")}})
case("gbk_name_gbk_content_bad_row",
     {"账单_c66.csv".encode("gbk"): text("账期,集团编码,用户号码,费用科目,应收金额", "202606,G1,S6601,专线,1",
                                         "202606,G1,S6602,专线,12,50", encoding="gbk")},
     loaded={"账单_c66.csv": {2: amt("1.00")}}, aside=[("账单_c66.csv", 3, None, "malformed_line")])


# ---------------------------------------------------------------- the refresh, once

REFRESH = """
import json, sys
from pathlib import Path
from kam.storage.warehouse import refresh
report = refresh(Path(sys.argv[1]))
print(json.dumps({"files": len(report.files)}))
"""


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus") / "exports"
    folder.mkdir()
    write_text(folder / "branches.csv", *BRANCHES)
    write_text(folder / "managers.csv", *MANAGERS)
    write_text(folder / "groups.csv", *GROUPS)
    for c in CASES:
        for name, content in c.files.items():
            data = content() if callable(content) else content
            raw = name if isinstance(name, bytes) else name.encode("utf-8")
            with open(os.path.join(os.fsencode(folder), raw), "wb") as f:
                f.write(data)
    done = subprocess.run([sys.executable, "-c", REFRESH, str(folder)], cwd=REPO, capture_output=True, text=True,
                          preexec_fn=_limit_memory, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    from kam.storage.warehouse import current_warehouse
    con = duckdb.connect(str(current_warehouse(folder)), read_only=True)
    yield con
    con.close()


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_corpus_case(corpus, c: Case):
    manifest = {r[0]: r[1:] for r in corpus.execute(
        "select file, dataset, status, error_code, rows_read, loaded, set_aside, superseded from file_manifest").fetchall()}
    shown = set(c.loaded) | set(c.failed) | {a[0] for a in c.aside}
    assert len(shown) == len(c.files)
    for name, codes in c.failed.items():
        assert name in manifest, sorted(manifest)
        assert manifest[name][1] == "failed" and manifest[name][2] in codes, manifest[name]
    for name, rows in c.loaded.items():
        assert name in manifest, sorted(manifest)
        ds, status, _code, read, loaded, aside, superseded = manifest[name]
        assert status == "loaded", manifest[name]
        assert read == loaded + aside + superseded
        expected_aside = sorted((line, col, reason) for f, line, col, reason in c.aside if f == name)
        got_aside = corpus.execute(
            """select line, "column", reason from set_aside_rows where file = $f and status = 'set_aside'
               order by line""", {"f": name}).fetchall()
        assert got_aside == expected_aside
        assert (loaded, aside, superseded) == (c.loaded_count or len(rows), len(expected_aside),
                                               c.superseded.get(name, 0))
        got_lines = {r[0] for r in corpus.execute(f"select _line from {ds} where _file = $f", {"f": name}).fetchall()}
        assert set(rows) <= got_lines
        for line, values in rows.items():
            cols = ", ".join(f'"{k}"::varchar' for k in values)
            got = corpus.execute(f"select {cols} from {ds} where _file = $f and _line = $l",
                                 {"f": name, "l": line}).fetchall()
            assert got == [tuple(values.values())], (line, got)
