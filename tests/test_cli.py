"""`kam ingest` and `kam report` as an operator uses them."""
from __future__ import annotations

import json

from conftest import write_text
from kam.cli import main


def test_ingest_prints_counts_that_add_up_and_names_each_problem(base_folder, capsys):
    write_text(base_folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202606", "G1", "", "line", "1"], ["202606", "G404", "", "line", "1"]])
    (base_folder / "说明.txt").write_text("x")
    assert main(["ingest", str(base_folder), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "adds up" in out and "DOES NOT ADD UP" not in out
    assert "说明.txt: file name matches no dataset" in out
    assert "unknown_reference" in out


def test_ingest_says_its_progress_in_english_as_it_always_has(base_folder, capsys):
    """The refresh reports in messages (codes and fields) that the Data page translates; the command
    line prints their English sentences, word for word what it printed before."""
    write_text(base_folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202606", "G1", "", "line", "1"]])
    (base_folder / "visits_extra.csv").write_text("visit_id,manager_id,group_id,kind\nV1,M1,G1,visit\n")
    assert main(["ingest", str(base_folder)]) == 0
    first = capsys.readouterr()
    progress = first.err.splitlines()
    for line in ("  billing.csv: 1 rows read (billing)",
                 "  visits_extra.csv: cannot be read (missing required column visit_date in visits_extra.csv)",
                 "  branches: checked", "  mart group_months: built"):
        assert line in progress, line
    assert progress[-1].startswith("  published warehouse-") and progress[-1].endswith(".duckdb")
    assert "Files not loaded:\n  visits_extra.csv: missing required column visit_date in visits_extra.csv" in first.out
    main(["ingest", str(base_folder)])
    assert "  billing.csv: unchanged, not parsed again" in capsys.readouterr().err.splitlines()


def test_ingest_exits_non_zero_when_nothing_could_be_loaded(tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "groups.xlsx").write_bytes(b"broken")
    assert main(["ingest", str(folder), "--quiet"]) == 1
    assert "groups.xlsx" in capsys.readouterr().out


def test_ingest_of_a_missing_folder_fails_with_exit_2(tmp_path, capsys):
    assert main(["ingest", str(tmp_path / "nope"), "--quiet"]) == 2
    assert "not found" in capsys.readouterr().err


def test_report_quality_as_json_has_the_contract_columns(base_folder, capsys):
    write_text(base_folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202606", "G1", "", "line", "1"], ["202606", "G1", "", "line", "abc"],
                ["202606", "G2", "", "line", "2"]])
    main(["ingest", str(base_folder), "--quiet"])
    capsys.readouterr()
    assert main(["report", "quality", "--data", str(base_folder), "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records == [{"dataset": "billing", "file": "billing.csv", "reason": "bad_amount", "rows": 1}]


def test_rows_lists_each_row_set_aside_at_its_physical_line_with_column_and_masked_value(base_folder, capsys):
    # a blank line and a two-line quoted cell come before the bad rows: lines are physical lines
    (base_folder / "billing.csv").write_text(
        "bill_month,group_id,subscriber_id,fee_item,amount\n202606,G1,,line,1\n\n"
        '202606,G1,13800001111,"li\nne",2\n202606,G1,13900002222,line,"12,50"\n202606,G1,,line,1\n'
        "202606,G1,13700003333,line,1,extra\n",
        encoding="utf-8")
    assert main(["ingest", str(base_folder), "--quiet", "--rows"]) == 0
    out = capsys.readouterr().out.split("Rows set aside or superseded (file, line, column, reason, value):")[1]
    lines = [line.split() for line in out.strip().splitlines()[1:]]
    assert lines == [["billing", "billing.csv", "2", "superseded"],
                     ["billing", "billing.csv", "4", "fee_item", "bad_enum", "li\\nne"],
                     ["billing", "billing.csv", "6", "amount", "bad_amount", "12,50"],
                     ["billing", "billing.csv", "8", "malformed_line", "202606,G1,137****3333,line,1,extra"]], out
    assert main(["report", "quality", "--data", str(base_folder), "--rows", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["line"], r["column"], r["reason"], r["value"]) for r in records] == [
        (2, None, "superseded", None), (4, "fee_item", "bad_enum", "li\nne"), (6, "amount", "bad_amount", "12,50"),
        (8, None, "malformed_line", "202606,G1,137****3333,line,1,extra")]
    assert "13700003333" not in json.dumps(records)
    assert main(["report", "revenue", "--data", str(base_folder), "--rows"]) == 2


def test_report_rejects_an_unknown_name_and_a_bad_period(base_folder, capsys):
    assert main(["report", "nonsense", "--data", str(base_folder)]) == 2
    assert main(["report", "quality", "--data", str(base_folder), "--period", "2026-13"]) == 2


def test_tables_line_up_in_a_terminal_when_names_are_chinese(sample_folder, capsys):
    """A Chinese character is two columns wide: every column of the printed tables starts at one place."""
    import unicodedata

    def width(text):
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    assert main(["report", "branches", "--data", str(sample_folder), "--period", "2026-06"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(any(unicodedata.east_asian_width(ch) == "W" for ch in line) for line in lines)  # names in Chinese
    assert len({width(line) for line in lines}) == 1, lines[:3]  # every row as wide as the header

    from kam.cli import format_ingest_report
    from kam.storage.warehouse import IngestReport
    report = IngestReport(folder=sample_folder, run_id="r", reasons=[
        {"dataset": "managers", "file": "客户经理.csv", "reason": "bad_date", "rows": 1},
        {"dataset": "billing", "file": "billing_202503.csv", "reason": "bad_enum", "rows": 2}])
    reasons = format_ingest_report(report).splitlines()[-2:]
    # the reason starts at the same terminal column on both lines: 2 + 12 + 1 + 28 + 1
    assert [width(line[:line.index(r)]) for line, r in zip(reasons, ["bad_date", "bad_enum"])] == [44, 44]


def test_report_as_a_table_writes_counts_whole_and_money_to_the_fen(tmp_path, capsys):
    """The overview report holds counts, money and rates in one column: none of them in scientific notation."""
    from customers_fixture import load
    folder = tmp_path / "exports"
    folder.mkdir()
    load(folder)  # June 2026: 6 groups, 7 members, revenue 101,500 (tests/customers_fixture.py)
    capsys.readouterr()
    assert main(["report", "overview", "--data", str(folder), "--period", "2026-06"]) == 0
    out = capsys.readouterr().out
    assert "e+0" not in out and "e-0" not in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert rows["groups"][2] == "6" and rows["members"][2] == "7"  # value column: counts whole
    assert rows["revenue"][2] == "101500.00"  # money to the fen
    assert rows["member_churn_rate"][2] == "0.2"  # rates stay fractions
    assert main(["report", "overview", "--data", str(folder), "--period", "2026-06", "--format", "csv"]) == 0
    csv = capsys.readouterr().out
    assert "revenue,money,101500.0," in csv  # csv (and json) keep the values as they were
