"""What the storage layer says reaches each screen in its viewer's language, and the command line in English.

A file the readers cannot read, a refresh's progress, an upload refused, a refresh that failed:
each is a code and its fields (kam.i18n.Message), stored that way in the manifest, with a
sentence in both locale tables. Each case below is made from real bytes, not by naming a code.
"""
from __future__ import annotations

import io
import re
import string
import zipfile

import duckdb
import pytest

from conftest import write_text
from kam.i18n import LANGS, Message, labels
from kam.storage.warehouse import RefreshFailed, current_warehouse, refresh

AREAS = ("reader", "progress", "upload", "refresh_failed")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Names a Chinese sentence may quote: encodings, file types, the example file name.
NAMES = ("UTF-8", "GB18030", "GBK", "Excel", "Parquet", "账单_202606.csv", ".xlsx", ".csv", ".txt", ".parquet", ".exe")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def chinese_without_english(text: str, *allowed: str) -> bool:
    """Chinese text with no English word left but the names it quotes (files, encodings)."""
    for name in (*allowed, *NAMES):
        text = text.replace(name, "")
    return bool(re.search(r"[\u4e00-\u9fff]", text)) and not LATIN_WORD.search(text) and "{" not in text


@pytest.mark.parametrize("area", AREAS)
def test_every_message_has_a_sentence_in_both_languages_with_the_same_fields(area):
    keys = {k for lang in LANGS for k in labels(lang) if k.startswith(area + ".")}
    assert keys
    for key in keys:
        zh, en = labels("zh")[key], labels("en")[key]
        assert re.search(r"[\u4e00-\u9fff]", zh), key
        # Chinese may leave out a field English has (a library's English detail), never add one
        assert fields(zh) <= fields(en), key


# ---------------------------------------------------------------- files the readers cannot read

def _empty_workbook() -> bytes:
    import openpyxl
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def _gbk_then_garbage() -> bytes:
    # GBK for the sniffed first megabyte, then bytes GB18030 cannot read: found while transcoding
    return "账期,集团编码,费用科目,金额\n".encode("gb18030") + "202606,G1,专线,1\n".encode("gb18030") * 70_000 \
        + b"\x81\x20\n"


UNREADABLE = {  # file name → (bytes, code, the Chinese text a screen shows)
    "billing_empty.csv": (b"", "empty_file", "文件为空"),
    "visits_extra.csv": ("visit_id,manager_id,group_id,kind\nV1,M1,G1,visit\n".encode(), "missing_column",
                         "缺少必需列“走访日期”"),
    "billing_binary.csv": (b"bill_month,amount\n\xff\xfe\xff\xfe\n", "not_text", None),
    "billing_nohead.csv": (b"\n202606,G1,,line,1\n", "no_header", "第一行为空，没有表头"),
    "complaints_old.xlsx": (b"this is not a zip", "bad_xlsx",
                            "不是可读取的 Excel（.xlsx）工作簿：文件已损坏，或并非 Excel 文件"),
    "groups_blank.xlsx": (_empty_workbook(), "empty_sheet", "工作表为空"),
    "orders_bad.parquet": (b"PAR1 not really parquet", "bad_parquet", None),
    "说明.txt": ("导出说明".encode(), "unknown_file", None),
}


def test_a_gbk_file_with_damaged_bytes_loads_and_sets_aside_only_their_line(base_folder):
    # It failed whole once (`reader.bad_encoding`, still labelled for manifests that keep it).
    (base_folder / "billing_gbk.csv").write_bytes(_gbk_then_garbage())
    outcome = {f.file: f for f in refresh(base_folder).files}["billing_gbk.csv"]
    assert (outcome.status, outcome.rows_read, outcome.loaded, outcome.set_aside, outcome.superseded) == (
        "loaded", 70_001, 1, 1, 69_999)
    con = duckdb.connect(str(current_warehouse(base_folder)), read_only=True)
    assert con.execute("select line, reason from set_aside_rows where status = 'set_aside'").fetchall() == [
        (70_002, "bad_encoding")]
    assert con.execute("select fee_item, _line from billing where _file = 'billing_gbk.csv'").fetchall() == [
        ("line", 70_001)]
    con.close()


@pytest.fixture
def unreadable(base_folder):
    for name, (data, _, _) in UNREADABLE.items():
        (base_folder / name).write_bytes(data)
    return base_folder, refresh(base_folder)


def test_each_file_the_readers_cannot_read_says_why_as_a_code_in_both_languages(unreadable):
    folder, report = unreadable
    outcomes = {f.file: f for f in report.files}
    con = duckdb.connect(str(current_warehouse(folder)), read_only=True)
    stored = {f: (code, params) for f, code, params in con.execute(
        "select file, error_code, error_params::varchar from file_manifest").fetchall()}
    con.close()
    for name, (_, code, chinese) in UNREADABLE.items():
        outcome = outcomes[name]
        assert outcome.status in ("failed", "unknown") and outcome.reason.key == f"reader.{code}", name
        # the English sentence is what `kam ingest` prints and the manifest's `error` column keeps
        assert outcome.error == str(outcome.reason) and not re.search(r"[\u4e00-\u9fff]", outcome.error)
        assert stored[name][0] == code
        zh = outcome.reason.text("zh")
        assert chinese_without_english(zh, name), (name, zh)
        if chinese:
            assert zh == chinese
        assert outcome.reason.text("en") != zh
    # a library's own English (calamine's ZipError) stays out of the Chinese sentence
    assert "ZipError" in outcomes["complaints_old.xlsx"].error
    assert "Zip" not in outcomes["complaints_old.xlsx"].reason.text("zh")


def test_the_english_sentences_stay_as_kam_ingest_printed_them(unreadable):
    _, report = unreadable
    errors = {f.file: f.error for f in report.files}
    assert errors["visits_extra.csv"] == "missing required column visit_date in visits_extra.csv"
    assert errors["billing_empty.csv"] == "empty file"
    assert errors["billing_nohead.csv"] == "empty first line: no header"
    assert errors["groups_blank.xlsx"] == "empty sheet"
    assert errors["说明.txt"] == "file name matches no dataset"
    assert errors["complaints_old.xlsx"].startswith("not a readable .xlsx workbook (")
    assert errors["billing_binary.csv"].startswith("not UTF-8 or GBK text (byte ")


def test_a_failed_file_unchanged_at_the_next_refresh_keeps_its_reason(unreadable):
    folder, _ = unreadable
    again = {f.file: f for f in refresh(folder).files}
    assert again["visits_extra.csv"].status == "failed"
    assert again["visits_extra.csv"].reason.text("zh") == "缺少必需列“走访日期”"


def test_a_column_is_named_as_the_export_heads_it_on_each_screen():
    missing = Message("reader.missing_column", {"column": "leave_date", "file": "客户经理.csv", "dataset": "managers"})
    assert missing.text("zh") == "缺少必需列“离职日期”"  # managers' leave_date, not members' 离网日期
    assert missing.text("en") == "missing required column leave_date in 客户经理.csv"


# ---------------------------------------------------------------- a refresh's progress

def test_progress_comes_as_messages_said_in_the_viewers_language(base_folder):
    write_text(base_folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202606", "G1", "", "line", "1"]])
    (base_folder / "visits_extra.csv").write_text("visit_id,manager_id,group_id,kind\nV1,M1,G1,visit\n")
    first: list[Message] = []
    refresh(base_folder, progress=first.append)
    again: list[Message] = []
    refresh(base_folder, progress=again.append)
    said = {m.key for m in first + again}
    assert said == {"progress.rows_read", "progress.unreadable", "progress.checked", "progress.mart_built",
                    "progress.published", "progress.unchanged"}
    by_file = {m.params.get("file"): m for m in first}
    assert by_file["billing.csv"].text("zh") == "billing.csv：读取 1 行（账单）"
    assert str(by_file["billing.csv"]) == "billing.csv: 1 rows read (billing)"
    assert by_file["visits_extra.csv"].text("zh") == "visits_extra.csv：无法读取（缺少必需列“走访日期”）"
    assert str(by_file["visits_extra.csv"]) == \
        "visits_extra.csv: cannot be read (missing required column visit_date in visits_extra.csv)"
    unchanged = next(m for m in again if m.key == "progress.unchanged" and m.params["file"] == "billing.csv")
    assert unchanged.text("zh") == "billing.csv：内容未变化，沿用上次的解析结果"
    assert str(unchanged) == "billing.csv: unchanged, not parsed again"
    for message in first + again:
        zh = message.text("zh")
        for value in message.params.values():  # file names, the warehouse file: proper names
            zh = zh.replace(str(value), "")
        assert chinese_without_english(zh), message


# ---------------------------------------------------------------- uploads refused, refreshes failed

def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", b"0" * 5_000_000)
    return buffer.getvalue()


@pytest.mark.parametrize("name,data,code", [
    ("..", b"x", "no_name"), ("billing.exe", b"MZ", "bad_type"), ("billing", b"x", "no_type"),
    ("billing.csv", b"", "empty"), ("groups.xlsx", b"<html></html>", "not_zip"), ("groups.xlsx", _zip_bomb(), "zip_bomb")])
def test_an_upload_refused_says_why_in_both_languages(tmp_path, name, data, code):
    from kam.storage.uploads import UploadRefused, save_upload
    with pytest.raises(UploadRefused) as refused:
        save_upload(tmp_path, name, data)
    assert refused.value.code == code and str(refused.value) == str(refused.value.message)
    assert chinese_without_english(refused.value.message.text("zh"), name)


def test_an_upload_over_the_limit_says_so_in_chinese(tmp_path, monkeypatch):
    import kam.storage.uploads as uploads
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.save_upload(tmp_path, "billing.csv", b"x" * 11)
    assert refused.value.message.text("zh") == "billing.csv：文件大小 11 字节，超过 10 字节的上限"
    assert str(refused.value) == "billing.csv: 11 bytes is over the 10-byte limit"


def test_a_failed_refresh_says_why_in_both_languages(base_folder, tmp_path):
    with pytest.raises(RefreshFailed) as missing:
        refresh(tmp_path / "nope")
    assert missing.value.message.text("zh").startswith("找不到导出文件夹")
    with pytest.raises(RefreshFailed) as broken:
        refresh(base_folder, fail_after="groups")
    assert str(broken.value).startswith("refresh failed, previous data kept: ")
    assert chinese_without_english(broken.value.message.text("zh"))  # the library's detail is in the log
