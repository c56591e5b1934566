"""The query layer: named SQL, bound parameters, the viewer's scope, threads, cache and versions."""
from __future__ import annotations

import concurrent.futures as cf

import pytest

from conftest import write_text
from kam.figures.query import Scope, Warehouse
from kam.storage.sql import MissingParameter, bind, load_sql
from kam.storage.warehouse import refresh


@pytest.fixture
def loaded_folder(base_folder):
    write_text(base_folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202606", "G1", "", "line", "100"], ["202606", "G2", "", "voice", "30"]])
    refresh(base_folder)
    return base_folder


def test_scope_is_applied_inside_the_query(loaded_folder):
    wh = Warehouse(loaded_folder)
    assert list(wh.query("meta/branches").branch_id) == ["GZ", "SZ"]
    assert list(wh.query("meta/branches", scope=Scope(branches=("SZ",))).branch_id) == ["SZ"]


def test_caller_cannot_widen_the_scope_through_parameters(loaded_folder):
    wh = Warehouse(loaded_folder)
    frame = wh.query("meta/branches", {"branches": ["GZ", "SZ"]}, scope=Scope(branches=("SZ",)))
    assert list(frame.branch_id) == ["SZ"]


def test_injection_text_bound_as_a_parameter_is_a_plain_value(loaded_folder):
    wh = Warehouse(loaded_folder)
    frame = wh.query("meta/branches", scope=Scope(branches=("GZ' or '1'='1",)))
    assert frame.empty


def test_statement_gets_exactly_its_own_parameters():
    sql = load_sql("meta/branches")
    assert bind(sql, {"branches": ["A"], "unused": 1}) == {"branches": ["A"]}
    with pytest.raises(MissingParameter):
        bind(sql, {})


def test_query_names_cannot_leave_the_queries_folder():
    with pytest.raises(ValueError):
        load_sql("../pyproject")


def test_eight_threads_querying_at_once_all_get_correct_results(loaded_folder):
    wh = Warehouse(loaded_folder)
    expected = {"GZ": ["GZ"], "SZ": ["SZ"]}

    def one(i):
        branch = "GZ" if i % 2 else "SZ"
        cur = wh._con.cursor()
        try:
            total = float(cur.execute("select sum(amount) from billing b join groups g using (group_id) "
                                      "where g.branch_id = $b", {"b": branch}).fetchall()[0][0])
        finally:
            cur.close()
        wh._cache.clear()  # force real queries, not cache hits
        got = list(wh.query("meta/branches", scope=Scope(branches=(branch,))).branch_id)
        return got == expected[branch] and total == (100.0 if branch == "GZ" else 30.0)

    with cf.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(400)))
    assert all(results) and len(results) == 400


def test_a_refresh_is_seen_at_once_through_the_cache(loaded_folder):
    wh = Warehouse(loaded_folder)
    first = wh.query("meta/months")
    assert list(first.month_label) == ["2026-06"]
    write_text(loaded_folder / "billing_07.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"],
               [["202607", "G1", "", "line", "1"]])
    refresh(loaded_folder)
    assert wh.sync()
    assert list(wh.query("meta/months").month_label) == ["2026-07", "2026-06"]
