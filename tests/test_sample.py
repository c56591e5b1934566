"""The sample export folder: deterministic, realistic, and every planted flaw where it says."""
from __future__ import annotations

import codecs
import csv
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from kam.tooling.sample import SCALES, _write_scaled, write_sample

GBK_FILES = ("客户经理.csv", "集团成员_2026.csv", "走访记录.csv")
ROW_KINDS = {"bad_date", "bad_timestamp", "bad_month", "bad_amount", "bad_number", "out_of_range",
             "bad_enum", "required", "unknown_reference", "stage_order", "time_order", "duplicate_key",
             "superseded", "bad_period"}
FILE_KINDS = {"unreadable_file", "missing_column", "unknown_file"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("sample")
    return folder, write_sample(folder, seed=7)


def _text(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _csv_rows(path: Path) -> list[list[str]]:
    text = _text(path)
    header = text.split("\n", 1)[0]
    delimiter = max(",\t|;", key=header.count)
    return list(csv.reader(text.splitlines(), delimiter=delimiter))


def test_same_seed_writes_identical_bytes(sample, tmp_path):
    folder, result = sample
    again = write_sample(tmp_path, seed=7)
    assert again["files"] == result["files"]
    for name in result["files"]:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name


def test_only_the_listed_files_are_written(sample):
    folder, result = sample
    assert sorted(p.name for p in folder.iterdir()) == sorted(result["files"])


def test_every_planted_item_names_an_existing_file_and_a_known_kind(sample):
    folder, result = sample
    kinds = Counter(p["kind"] for p in result["planted"])
    assert set(kinds) == ROW_KINDS | FILE_KINDS
    for kind in ROW_KINDS:
        assert kinds[kind] >= 2, kind
    for item in result["planted"]:
        assert (folder / item["file"]).is_file(), item
        if item["kind"] in FILE_KINDS:
            assert item["line"] is None
        else:
            assert item["line"] >= 1 and item["dataset"]


def test_planted_lines_in_text_files_hold_the_planted_value(sample):
    folder, result = sample
    parsed: dict[str, list[list[str]]] = {}
    for item in result["planted"]:
        if item["line"] is None or not item["file"].endswith((".csv", ".txt")):
            continue
        if item["file"] not in parsed:
            parsed[item["file"]] = _csv_rows(folder / item["file"])
        rows = parsed[item["file"]]
        row = rows[item["line"] - 1]
        assert len(row) == len(rows[0]), item
        if item["kind"] == "duplicate_key":
            assert row in rows[item["line"]:], item   # the same row again, further down
        if item["kind"] == "required":
            header = [h.lower() for h in rows[0]]
            col = item["column"]
            assert col not in header or row[header.index(col)] == "", item


def test_corrected_month_supersedes_rows_of_the_first_export(sample):
    folder, result = sample
    superseded = [p for p in result["planted"] if p["kind"] == "superseded"]
    assert superseded and {p["file"] for p in superseded} == {"billing_202609.csv"}
    first = _csv_rows(folder / "billing_202609.csv")
    keys = {tuple(r[:4]) for r in _csv_rows(folder / "billing_202609_v2.csv")[1:]}
    assert {tuple(first[p["line"] - 1][:4]) for p in superseded} == keys


def test_gbk_files_really_are_gbk(sample):
    folder, _ = sample
    for name in GBK_FILES:
        raw = (folder / name).read_bytes()
        raw.decode("gb18030")
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")


def test_groups_workbook_opens_and_classes_are_about_10_30_60(sample):
    from python_calamine import CalamineWorkbook

    folder, _ = sample
    book = CalamineWorkbook.from_path(str(folder / "groups.xlsx"))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "集团编码"
    classes = Counter(str(r[5]).rstrip("类") for r in rows[1:])
    total = sum(classes[c] for c in "ABC")
    assert abs(classes["A"] / total - 0.10) < 0.02
    assert abs(classes["B"] / total - 0.30) < 0.03
    assert abs(classes["C"] / total - 0.60) < 0.03


def _amount(text: str) -> float:
    return float(text.replace(",", "").replace("¥", "").replace("￥", ""))


def test_revenue_is_concentrated_and_fits_the_classes(sample):
    from python_calamine import CalamineWorkbook

    folder, _ = sample
    revenue: dict[str, float] = defaultdict(float)
    for row in _csv_rows(folder / "billing_202610.csv")[1:]:
        try:
            revenue[row[1]] += _amount(row[4])
        except ValueError:
            continue   # a planted bad amount
    ranked = sorted(revenue.values(), reverse=True)
    top = ranked[: -(-len(ranked) // 5)]
    assert sum(top) / sum(ranked) > 0.60
    rows = CalamineWorkbook.from_path(str(folder / "groups.xlsx")).get_sheet_by_index(0).to_python()
    by_class = defaultdict(list)
    for r in rows[1:]:
        if r[0] in revenue:
            by_class[str(r[5]).rstrip("类")].append(revenue[r[0]])
    mean = {c: sum(v) / len(v) for c, v in by_class.items()}
    assert mean["A"] >= 30_000 and 5_000 <= mean["B"] < 30_000 and mean["C"] < 5_000


def test_reader_finds_every_planted_flaw_and_nothing_else(sample, tmp_path):
    """The whole contract: each planted row is set aside or superseded with the planted reason."""
    duckdb = pytest.importorskip("duckdb")
    from kam.storage.warehouse import current_warehouse, refresh

    folder, result = sample
    copy = tmp_path / "exports"
    shutil.copytree(folder, copy)
    refresh(copy)
    con = duckdb.connect(str(current_warehouse(copy)), read_only=True)
    found = set()
    for ds in ("managers", "groups", "members", "billing", "visits", "orders", "complaints", "targets", "contracts",
               "arrears"):
        found |= set(con.execute(f"select _file, _line, column_name, reason from checked_{ds}").fetchall())
    bad_files = dict(con.execute("select file, status from file_manifest where status <> 'loaded'").fetchall())
    con.close()
    expected = set()
    for p in result["planted"]:
        if p["kind"] in FILE_KINDS:
            assert p["file"] in bad_files, p
        elif p["kind"] == "duplicate_key":
            expected.add((p["file"], p["line"], None, "superseded"))
        else:
            expected.add((p["file"], p["line"], p["column"], p["kind"]))
    assert found == expected
    assert set(bad_files) == {p["file"] for p in result["planted"] if p["kind"] in FILE_KINDS}


def test_scaled_writer_makes_small_valid_clean_files_quickly(tmp_path):
    import time

    start = time.perf_counter()
    result = _write_scaled(tmp_path / "a", groups=200, members=5000, months=3, seed=3)
    assert time.perf_counter() - start < 10
    again = _write_scaled(tmp_path / "b", groups=200, members=5000, months=3, seed=3)
    assert result["planted"] == []
    assert result["files"] == again["files"]
    assert [f for f in result["files"] if f.startswith("billing_")] == [
        "billing_202608.csv", "billing_202609.csv", "billing_202610.csv"]
    tables = {}
    for name in result["files"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
        text = (tmp_path / "a" / name).read_bytes().decode("utf-8")   # all plain UTF-8
        tables[name] = list(csv.DictReader(text.splitlines()))
        assert len(tables[name]) == result["rows"][name], name
    assert len(tables["members.csv"]) == 5000 and len(tables["groups.csv"]) == 200
    groups = {r["group_id"] for r in tables["groups.csv"]}
    managers = {r["manager_id"] for r in tables["managers.csv"]}
    assert {r["group_id"] for r in tables["members.csv"]} <= groups
    assert {r["manager_id"] for r in tables["visits.csv"]} <= managers
    bills = [r for f, rows in tables.items() if f.startswith("billing_") for r in rows]
    assert {r["group_id"] for r in bills} <= groups
    assert any(r["subscriber_id"] for r in bills) and any(not r["subscriber_id"] for r in bills)
    keys = [(r["bill_month"], r["group_id"], r["subscriber_id"], r["fee_item"]) for r in bills]
    assert len(keys) == len(set(keys))
    assert all(len(r["amount"].split(".")[1]) == 2 for r in bills)


def test_scales_are_described_and_unknown_ones_refused(tmp_path):
    assert set(SCALES) == {"sample", "M", "L"}
    assert (SCALES["M"].groups, SCALES["M"].members) == (10_000, 500_000)
    assert (SCALES["L"].groups, SCALES["L"].members) == (50_000, 2_500_000)
    with pytest.raises(ValueError):
        write_sample(tmp_path, scale="XL")
