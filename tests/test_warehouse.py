"""A refresh is all-or-nothing, accounts for every row, and does not parse unchanged files again."""
from __future__ import annotations

import threading
import time

import duckdb
import pytest

from conftest import write_text
from kam.figures.query import Warehouse
from kam.storage.warehouse import RefreshFailed, current_warehouse, refresh

BILL_HEADER = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]


def bill(folder, name, rows):
    return write_text(folder / name, BILL_HEADER, rows)


def total_revenue(wh: Warehouse) -> float:
    return float(wh._con.cursor().execute("select coalesce(sum(amount), 0) from billing").fetchall()[0][0])


def test_rows_read_equal_loaded_plus_set_aside_plus_superseded_for_every_dataset(base_folder):
    bill(base_folder, "billing_1.csv", [["202606", "G1", "", "line", "1"], ["202606", "G9", "", "line", "1"],
                                        ["202606", "G2", "", "line", "x"]])
    bill(base_folder, "billing_2.csv", [["202606", "G1", "", "line", "2"]])
    report = refresh(base_folder)
    for ds in report.datasets:
        assert ds["rows_read"] == ds["loaded"] + ds["set_aside"] + ds["superseded"], ds
    billing = next(d for d in report.datasets if d["dataset"] == "billing")
    assert (billing["rows_read"], billing["loaded"], billing["set_aside"], billing["superseded"]) == (4, 1, 2, 1)


def test_manifest_records_hash_counts_and_time(base_folder):
    path = bill(base_folder, "billing.csv", [["202606", "G1", "", "line", "1"]])
    refresh(base_folder)
    import hashlib
    con = duckdb.connect(str(current_warehouse(base_folder)), read_only=True)
    row = con.execute("select sha256, rows_read, loaded, set_aside, superseded, parsed_at is not null "
                      "from file_manifest where file = 'billing.csv'").fetchall()[0]
    con.close()
    assert row == (hashlib.sha256(path.read_bytes()).hexdigest(), 1, 1, 0, 0, True)


def test_unchanged_file_is_not_parsed_again_and_a_changed_one_is(base_folder):
    bill(base_folder, "billing_1.csv", [["202606", "G1", "", "line", "1"]])
    refresh(base_folder)
    bill(base_folder, "billing_2.csv", [["202607", "G1", "", "line", "5"]])
    report = refresh(base_folder)
    status = {f.file: f.status for f in report.files}
    assert status["billing_1.csv"] == "unchanged" and status["billing_2.csv"] == "loaded"
    bill(base_folder, "billing_1.csv", [["202606", "G1", "", "line", "3"]])
    report = refresh(base_folder)
    assert {f.file: f.status for f in report.files}["billing_1.csv"] == "loaded"
    wh = Warehouse(base_folder)
    assert total_revenue(wh) == 8.0


def test_a_removed_file_leaves_the_warehouse_at_the_next_refresh(base_folder):
    bill(base_folder, "billing_1.csv", [["202606", "G1", "", "line", "1"]])
    path = bill(base_folder, "billing_2.csv", [["202607", "G1", "", "line", "5"]])
    refresh(base_folder)
    path.unlink()
    refresh(base_folder)
    assert total_revenue(Warehouse(base_folder)) == 1.0


def test_refresh_that_fails_halfway_leaves_the_previous_data_whole(base_folder):
    bill(base_folder, "billing_1.csv", [["202606", "G1", "", "line", "1"]])
    refresh(base_folder)
    before = current_warehouse(base_folder)
    wh = Warehouse(base_folder)
    bill(base_folder, "billing_2.csv", [["202607", "G1", "", "line", "5"]])
    with pytest.raises(RefreshFailed, match="previous data kept"):
        refresh(base_folder, fail_after="billing")
    assert current_warehouse(base_folder) == before
    assert not wh.sync()
    assert total_revenue(wh) == 1.0
    assert len(list((base_folder / ".kam").glob("warehouse-*.duckdb"))) == 1  # the half-built file is gone
    refresh(base_folder)  # and the next refresh works
    wh.sync()
    assert total_revenue(wh) == 6.0


def test_export_folder_that_does_not_exist_fails_clearly(tmp_path):
    with pytest.raises(RefreshFailed, match="not found"):
        refresh(tmp_path / "nowhere")


def test_reader_during_refresh_sees_old_or_new_never_a_mix(base_folder):
    """Old data: 2 rows of 1 yuan; new data: 2 rows of 10 yuan. Any other total would be a mix."""
    bill(base_folder, "billing_a.csv", [["202606", "G1", "", "line", "1"]])
    bill(base_folder, "billing_b.csv", [["202606", "G2", "", "line", "1"]])
    refresh(base_folder)
    wh = Warehouse(base_folder)
    seen, stop = set(), threading.Event()

    def read():
        while not stop.is_set():
            wh.sync()
            cur = wh._con.cursor()
            seen.add(float(cur.execute("select sum(amount) from billing").fetchall()[0][0]))
            cur.close()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(3):
            bill(base_folder, "billing_a.csv", [["202606", "G1", "", "line", "10"]])
            bill(base_folder, "billing_b.csv", [["202606", "G2", "", "line", "10"]])
            refresh(base_folder)
            bill(base_folder, "billing_a.csv", [["202606", "G1", "", "line", "1"]])
            bill(base_folder, "billing_b.csv", [["202606", "G2", "", "line", "1"]])
            refresh(base_folder)
    finally:
        stop.set()
        reader.join()
    assert seen <= {2.0, 20.0} and 2.0 in seen


def test_two_refreshes_of_one_folder_do_not_run_at_once(base_folder):
    from kam.storage.warehouse import _refresh_lock
    with _refresh_lock(base_folder):
        with pytest.raises(RefreshFailed, match="another refresh"):
            refresh(base_folder)


def test_a_readers_message_quoting_a_mobile_number_is_kept_masked(base_folder, monkeypatch):
    """The reason a file cannot be read is shown to every viewer and stored: no phone number in it,
    neither in the English sentence nor in the fields a screen translates it from."""
    import kam.storage.parse_files as parse_files
    from kam.storage.readers import UnreadableFile

    def quoting_reader(cur, export, n, workdir):
        raise UnreadableFile("bad_parquet", detail="bad cell 13812345678 in line 2")

    write_text(base_folder / "members.csv", "group_id,subscriber_id,join_date", "G1,13812345678,2026-01-05")
    monkeypatch.setattr(parse_files, "parse_into", quoting_reader)
    report = refresh(base_folder)
    outcome = next(f for f in report.files if f.file == "members.csv")
    assert outcome.status == "failed"
    assert outcome.error == "not a readable parquet file (bad cell 138****5678 in line 2)"
    assert outcome.reason.params == {"detail": "bad cell 138****5678 in line 2"}
    con = duckdb.connect(str(current_warehouse(base_folder)), read_only=True)
    stored = con.execute("select error, error_code, error_params::varchar from file_manifest "
                         "where file = 'members.csv'").fetchall()
    con.close()
    assert stored == [("not a readable parquet file (bad cell 138****5678 in line 2)", "bad_parquet",
                       '{"detail": "bad cell 138****5678 in line 2"}')]
