"""The shortcuts that make a refresh fast change nothing a reader sees.

An incremental refresh (unchanged files not parsed again, key checks and reference checks reused,
`_ok` flags narrowed and widened in place) must leave the same warehouse as a refresh from nothing
of the same folder; GBK read through iconv must give the very text Python's codec gives.
"""
from __future__ import annotations

import codecs
import os
import shutil

import duckdb
import pytest

from conftest import write_text
from kam.storage import text_scan
from kam.storage.warehouse import current_warehouse, refresh

BILL = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]
DATASETS = ("branches", "managers", "groups", "members", "billing", "visits", "orders", "complaints",
            "assignments")


def snapshot(folder) -> dict:
    """Everything a reader of the warehouse sees, as sorted rows."""
    con = duckdb.connect(str(current_warehouse(folder)), read_only=True)
    try:
        out = {}
        for ds in DATASETS:
            out[ds] = sorted(map(repr, con.execute(f"select * from {ds}").fetchall()))
            out["checked_" + ds] = sorted(map(repr, con.execute(
                f"select _file, _line, status, column_name, reason, value, by_file, by_line "
                f"from checked_{ds}").fetchall()))
        out["set_aside_rows"] = con.execute("select * from set_aside_rows").fetchall()
        out["file_manifest"] = sorted(con.execute(
            "select file, dataset, sha256, status, error, encoding, rows_read, loaded, set_aside, superseded "
            "from file_manifest").fetchall())
        for mart in ("calendar_months", "group_months", "group_fee_months"):
            out[mart] = sorted(map(repr, con.execute(f"select * from {mart}").fetchall()))
        return out
    finally:
        con.close()


def from_nothing(folder, tmp_path) -> dict:
    copy = tmp_path / f"fresh_{len(list(tmp_path.iterdir()))}"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(".kam"))
    refresh(copy)
    return snapshot(copy)


def test_each_incremental_refresh_equals_a_refresh_from_nothing(base_folder, tmp_path):
    """Hand-made steps (G1, G2 exist; GNEW does not until step 4):
    1. two months of bills; 2. a correction file repeating two keys of month 06 (the later file
    wins: 2 superseded) and a new month; 3. bills of an unknown group GNEW (set aside); 4. GNEW's
    group file arrives: its bills load without being parsed again; 5. the correction file goes:
    the month-06 rows it superseded stand again; 6. a file touched but unchanged, and GNEW's group
    file removed: its bills are set aside again."""
    f = base_folder
    write_text(f / "billing_202606.csv", BILL, [["202606", "G1", "", "line", "100"], ["202606", "G2", "", "line", "50"],
                                                ["202606", "G1", "13800000001", "voice", "7"]])
    write_text(f / "billing_202607.csv", BILL, [["202607", "G1", "", "line", "110"]])
    steps = [
        lambda: (write_text(f / "billing_202606_v2.csv", BILL, [["202606", "G1", "", "line", "120"],
                                                                ["202606", "G2", "", "line", "55"]]),
                 write_text(f / "billing_202608.csv", BILL, [["202608", "G1", "", "line", "130"]])),
        lambda: write_text(f / "billing_zz.csv", BILL, [["202608", "GNEW", "", "voice", "5"],
                                                        ["202608", "GNEW", "", "data", "6"]]),
        lambda: write_text(f / "groups_new.csv", ["group_id", "group_name", "branch_id", "class"],
                           [["GNEW", "新集团", "GZ", "A"]]),
        lambda: (f / "billing_202606_v2.csv").unlink(),
        lambda: (os.utime(f / "billing_202607.csv"), (f / "groups_new.csv").unlink()),
    ]
    refresh(f)
    assert snapshot(f) == from_nothing(f, tmp_path)
    for step in steps:
        step()
        report = refresh(f)
        assert snapshot(f) == from_nothing(f, tmp_path)
    assert {x.file: x.status for x in report.files}["billing_202607.csv"] == "unchanged"
    assert {x.file: x.status for x in report.files}["billing_zz.csv"] == "unchanged"


def test_rows_keep_the_order_of_files_and_lines(base_folder):
    """Files are parsed two at a time but committed in name order, as the clean table was sorted."""
    for m in range(1, 7):
        write_text(base_folder / f"billing_2026{m:02d}.csv", BILL,
                   [[f"2026{m:02d}", g, "", item, "1"] for g in ("G1", "G2") for item in ("line", "voice", "data")])
    refresh(base_folder)
    con = duckdb.connect(str(current_warehouse(base_folder)), read_only=True)
    rows = con.execute("select _file, _line from billing").fetchall()
    con.close()
    assert rows == sorted(rows) and len(rows) == 36


GBK_HEADER = ["账期", "集团编码", "用户号码", "费用科目", "金额"]


def test_gbk_read_through_iconv_is_the_text_pythons_codec_reads(tmp_path):
    text = "账期,集团编码,费用科目\n202606,G1,语音\n202606,G2,专线·信息化\n" * 2000
    path = tmp_path / "billing.csv"
    path.write_bytes(text.encode("gb18030"))
    out = text_scan.transcode_to_utf8(path, "gb18030", tmp_path)
    assert out.read_bytes() == text.encode("utf-8")


@pytest.mark.parametrize("char", ["ḿ", "\ue7c7", "︐", "\ue78d", "\ue81e"])
def test_a_character_the_two_decoders_read_differently_is_read_by_pythons_codec(tmp_path, char):
    """glibc's GB18030 tables and Python's differ on 44 sequences: either iconv refuses them or the
    file is seen to hold one (A8BC, A6D9, FE59, 8135F437 ...) and Python's codec reads it."""
    text = f"账期,集团编码\n202606,G{char}1\n"
    path = tmp_path / "billing.csv"
    path.write_bytes(text.encode("gb18030"))
    if char in ("ḿ", "\ue7c7", "\ue78d", "\ue81e"):
        assert text_scan._has_divergent_gb18030(path)
    out = text_scan.transcode_to_utf8(path, "gb18030", tmp_path)
    assert out.read_text(encoding="utf-8") == codecs.decode(path.read_bytes(), "gb18030")


def test_a_gbk_billing_file_loads_the_same_rows_as_its_utf8_twin(base_folder, tmp_path):
    rows = [["202606", "G1", "", "语音", "1.50"], ["202606", "G2", "13800000001", "流量", "2"]]
    write_text(base_folder / "billing_a.csv", GBK_HEADER, rows, encoding="gb18030")
    refresh(base_folder)
    gbk = snapshot(base_folder)["billing"]
    (base_folder / "billing_a.csv").unlink()
    write_text(base_folder / "billing_a.csv", GBK_HEADER, rows, encoding="utf-8")
    refresh(base_folder)
    assert snapshot(base_folder)["billing"] == gbk and len(gbk) == 2


def test_a_gbk_file_broken_after_its_first_megabyte_sets_aside_only_the_broken_line(base_folder):
    """The whole file is scanned: GBK all through, its last line damaged. It once failed whole."""
    good = ("账期,集团编码,费用科目,金额\n" + "202606,G1,语音,1\n" * 80_000).encode("gb18030")
    (base_folder / "billing_bad.csv").write_bytes(good + b"\x81\x20\xff\xfe\n")
    report = refresh(base_folder)
    outcome = {x.file: x for x in report.files}["billing_bad.csv"]
    assert (outcome.status, outcome.rows_read, outcome.set_aside, outcome.superseded) == ("loaded", 80_001, 1, 79_999)
    con = duckdb.connect(str(current_warehouse(base_folder)), read_only=True)
    assert con.execute("select line, reason from set_aside_rows where status = 'set_aside'").fetchall() == [
        (80_002, "bad_encoding")]
    assert con.execute("select fee_item from billing where _file = 'billing_bad.csv'").fetchall() == [("voice",)]
    con.close()
