"""The figures' SQL gives the same results on Spark SQL as on DuckDB (docs/architecture.md: portable SQL).

Two hand-made export folders are loaded into DuckDB (kam.storage.warehouse.refresh) and their clean tables
and cfg_* settings tables copied to Spark with explicit types (kam/tooling/spark.py). On Spark the marts are
built from queries/marts/*.sql, and every `kam report` table is run from its queries/reports/*.sql,
transpiled by sqlglot, with the parameters the query layer binds (period, settings, the viewer's
branches and manager scope). Each result must equal the query layer's (`Warehouse.query`) row for
row: the same columns, the same kinds of values (a date stays a date, a count a whole number), numbers
equal to 1e-9, NULL where DuckDB has NULL.

    customers  tests/customers_fixture.py: five bill months with nine missing between, a group closing
               mid-June and one opening in May, tickets crossing the Dragon Boat holidays, one order
    managers   tests/managers_fixture.py: a full quarter and the one before it, groups changing hands,
               a manager leaving, visits, six orders through every stage, tickets

Not a hand calculation: the other test files check the figures themselves; this one checks that a
second engine reading the same SQL agrees with the first.
"""
from __future__ import annotations

import datetime as dt
import decimal
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import BRANCHES, GROUPS, MANAGERS, write_text
from kam.figures.period import Period
from kam.figures.query import Scope, Warehouse
from kam.figures.settings import load_settings
from kam.storage.sql import bind, load_sql
from kam.storage.warehouse import refresh

pytestmark = pytest.mark.spark

pytest.importorskip("pyspark", reason="pyspark is in the test extra (pip install -e '.[test]')")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (Debian: apt-get install -y default-jre-headless)", allow_module_level=True)

from kam.tooling import spark as ks  # noqa: E402  (after the skips: it needs pyspark only when used)

import customers_fixture  # noqa: E402
import managers_fixture  # noqa: E402

EVERYONE = Scope()
GZ = Scope(branches=("GZ",))
M1 = Scope(manager_id="M1")  # an account manager: reports with $manager_scope keep only M1's rows

ALL = ("overview", "branches", "classes", "pareto", "sla", "visits", "funnel", "managers", "staffing", "model",
       "targets", "warnings")  # retention: test_retention_with_a_snapshot_month_of_the_data_on_spark_equals_duckdb

# (dataset, period, scope, reports)
CASES = [
    ("customers", "2026-06", EVERYONE, ALL),
    ("customers", "2026-Q2", EVERYONE, ALL),
    # the month after nine months without billing: no previous period, no year-ago
    ("customers", "2026-03", EVERYONE, ("overview", "branches", "managers")),
    ("customers", "2026-06", GZ, ("overview", "branches", "classes", "pareto", "managers", "staffing")),
    ("customers", "2026-06", M1, ("sla", "visits", "funnel", "managers")),
    ("managers", "2026-Q2", EVERYONE, ALL),
    ("managers", "2026-05", EVERYONE, ("overview", "managers", "visits", "funnel")),
    ("managers", "2026-Q2", M1, ("sla", "visits", "funnel", "managers")),
]


def _scope_id(scope: Scope) -> str:
    if scope.manager_id:
        return scope.manager_id
    return "+".join(scope.branches) if scope.branches else "all"


REPORT_CASES = [pytest.param(ds, period, scope, name, id=f"{ds}-{period}-{_scope_id(scope)}-{name}")
                for ds, period, scope, names in CASES for name in names]


# ------------------------------------------------------------------------ loading both engines

class Loaded:
    """One export folder in DuckDB (the query layer) and in a Spark session of its own."""

    def __init__(self, wh: Warehouse, spark, workdir: Path):
        self.wh = wh
        self.spark = spark
        self.runner = ks.SparkRunner(spark, workdir)
        con = wh._con.cursor()  # the query layer's connection: clean tables, marts and cfg_* as reports see them
        try:
            self.runner.copy_tables(con, list(ks.CLEAN_TABLES) + list(wh.settings.tables()))
        finally:
            con.close()
        self.runner.build_marts()

    def params(self, period: str, scope: Scope, settings=None) -> dict:
        """What Warehouse.query binds: settings, the period, the viewer's branches and manager."""
        settings = settings or self.wh.settings
        params = dict(settings.sql_params())
        params.update(self.wh.period_params(Period.parse(period)))
        params["branches"] = list(scope.branches) if scope.branches is not None else self.wh.query_all_branches()
        params["manager_scope"] = scope.manager_id
        return params


def _write(dataset: str, folder: Path) -> Path:
    folder.mkdir(parents=True)
    write_text(folder / "branches.csv", *BRANCHES)
    write_text(folder / "managers.csv", *MANAGERS)
    write_text(folder / "groups.csv", *GROUPS)
    if dataset == "customers":
        customers_fixture.write_customers(folder)
    else:
        managers_fixture.write_exports(folder)
    write_issue14(folder)
    refresh(folder)
    return folder


def write_issue14(folder: Path) -> None:
    """Targets (every kind of KPI, a branch's and the province's) for the periods the cases run."""
    rows = []
    for period in ("2026-03", "2026-05", "2026-06", "2026-Q2"):
        rows += [[period, "GZ", "revenue", "1000"], [period, "", "revenue", "5000"], [period, "SZ", "members", "3"],
                 [period, "GZ", "member_churn_rate", "2%"], [period, "SZ", "visit_compliance", "0.8"],
                 [period, "GZ", "orders_activated", "1"], [period, "", "arpu", "50"]]
    write_text(folder / "targets.csv", ["period", "branch_id", "kpi", "target"], rows)
    # contracts ending soon after the as-of time (one renewed), arrears of every age
    write_text(folder / "contracts.csv", ["contract_id", "group_id", "product", "start_date", "end_date",
                                          "monthly_value", "renewed_from"],
               [["K1", "G1", "line", "2025-07-01", "2026-07-15", "300", ""],
                ["K2", "G2", "cloud", "2025-08-01", "2026-08-20", "", ""],
                ["K3", "G2", "iot", "2025-07-01", "2026-07-31", "120", ""],
                ["K4", "G2", "iot", "2026-08-01", "2027-07-31", "130", "K3"]])
    write_text(folder / "arrears.csv", ["bill_month", "group_id", "amount_due", "amount_paid"],
               [["202606", "G1", "100", "40"], ["202604", "G1", "80", "0"], ["202601", "G2", "50", "10"],
                ["202512", "G2", "70", "0"], ["202605", "G2", "90", "90"]])


@pytest.fixture(scope="module")
def spark():
    session = ks.session("kam-test")
    session.sparkContext.setLogLevel("OFF")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def loaded(spark, tmp_path_factory):
    """dataset name → Loaded, each dataset loaded on first use into its own Spark session (own temp views)."""
    cache: dict[str, Loaded] = {}

    def get(dataset: str) -> Loaded:
        if dataset not in cache:
            root = tmp_path_factory.mktemp(f"spark_{dataset}")
            folder = _write(dataset, root / "exports")
            wh = Warehouse(folder, load_settings())
            cache[dataset] = Loaded(wh, spark.newSession(), root / "spark")
        return cache[dataset]

    return get


# ------------------------------------------------------------------------ comparing results

def _value(v):
    """A cell as a plain Python value: NULL/NaN/NaT → None, decimals → float, dates → datetime."""
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime.combine(v, dt.time())
    if isinstance(v, decimal.Decimal):
        return float(v)
    if hasattr(v, "item"):  # numpy scalars
        return _value(v.item())
    return v


def _sort_key(row: tuple):
    return tuple((x is None, type(x).__name__, x if x is not None else 0) for x in row)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b and type(a) is type(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _kind(type_name: str) -> str:
    """The kind of value a column holds, named the same for DuckDB and Spark types."""
    t = type_name.upper()
    for marker, kind in (("BOOL", "boolean"), ("DECIMAL", "decimal"), ("TIMESTAMP", "timestamp"), ("DATE", "date"),
                         ("DOUBLE", "fraction"), ("FLOAT", "fraction"), ("INT", "whole"), ("VARCHAR", "text"),
                         ("STRING", "text"), ("VOID", "null"), ("NULL", "null")):
        if marker in t:
            return kind
    return t


def assert_same_result(duck: pd.DataFrame, duck_types: list[str], frame) -> int:
    """The Spark DataFrame holds the DuckDB result: columns, kinds of values, rows (in any order)."""
    assert list(frame.columns) == list(duck.columns)
    spark_types = [f.dataType.simpleString() for f in frame.schema.fields]
    kinds = [(c, d, s) for c, d, s in zip(duck.columns, duck_types, spark_types) if _kind(d) != _kind(s)]
    assert not kinds, f"column types differ (column, DuckDB, Spark): {kinds}"
    duck_rows = sorted((tuple(_value(x) for x in r) for r in duck.itertuples(index=False)), key=_sort_key)
    spark_rows = sorted((tuple(_value(x) for x in r) for r in frame.collect()), key=_sort_key)
    assert len(spark_rows) == len(duck_rows), f"{len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark"
    differences = [f"row {d}: " + ", ".join(f"{c} {x!r} ≠ {y!r}" for c, x, y in zip(duck.columns, d, s)
                                             if not _same(x, y))
                   for d, s in zip(duck_rows, spark_rows) if not all(_same(x, y) for x, y in zip(d, s))]
    assert not differences, "DuckDB ≠ Spark:\n" + "\n".join(differences[:10])
    return len(duck_rows)


def compare(data: Loaded, name: str, period: str, scope: Scope, *, settings=None, inline: bool = False) -> int:
    wh = data.wh if settings is None else Warehouse(data.wh.folder, settings)
    params = data.params(period, scope, settings)
    duck = wh.query(name, wh.period_params(Period.parse(period)), scope)
    frame = ks.run_on_spark(data.spark, name, params) if inline else data.runner.run(name, params)
    return assert_same_result(duck, duckdb_types(wh, name, params), frame)


def duckdb_types(wh: Warehouse, name: str, params: dict) -> list[str]:
    """The DuckDB types of the query's columns (the frame Warehouse.query returns has pandas dtypes)."""
    sql = load_sql(name)
    con = wh._con.cursor()
    try:
        return [str(d[1]) for d in con.execute(sql, bind(sql, params)).description]
    finally:
        con.close()


# ------------------------------------------------------------------------ the tests

@pytest.mark.parametrize("dataset", ["customers", "managers"])
@pytest.mark.parametrize("mart", ["calendar_months", "group_months", "group_fee_months"])
def test_marts_built_on_spark_equal_the_warehouse_marts(loaded, dataset, mart):
    data = loaded(dataset)
    con = data.wh._con.cursor()
    try:
        duck = con.execute(f"select * from {mart}").df()
        types = [str(d[1]) for d in con.execute(f"select * from {mart}").description]
    finally:
        con.close()
    assert assert_same_result(duck, types, data.spark.table(mart)) > 0


@pytest.mark.parametrize("dataset, period, scope, name", REPORT_CASES)
def test_report_on_spark_equals_duckdb(loaded, dataset, period, scope, name):
    assert compare(loaded(dataset), f"reports/{name}", period, scope) > 0


@pytest.mark.parametrize("dataset, period, snapshot", [("customers", "2026-06", dt.date(2026, 3, 1)),
                                                       ("customers", "2026-Q2", dt.date(2025, 6, 1)),
                                                       ("managers", "2026-Q2", dt.date(2026, 1, 1))])
@pytest.mark.parametrize("name", ["reports/retention", "pages/retention_cuts", "pages/retention_trend"])
def test_retention_with_a_snapshot_month_of_the_data_on_spark_equals_duckdb(loaded, dataset, period, snapshot, name):
    """The default snapshot (December 2025) has no billing in either folder: a month that has one, as the page picks."""
    data = loaded(dataset)
    params = data.params(period, EVERYONE) | {"snapshot_month": snapshot}
    duck = data.wh.query(name, data.wh.period_params(Period.parse(period)) | {"snapshot_month": snapshot})
    frame = data.runner.run(name, params)
    assert assert_same_result(duck, duckdb_types(data.wh, name, params), frame) > 0


@pytest.mark.parametrize("clock", [False, True], ids=["calendar_hours", "business_hours"])
def test_ticket_sla_clocks_on_spark_equal_duckdb(loaded, clock):
    """Per ticket: elapsed hours, breaches and due times (timestamp arithmetic over the holiday calendar)."""
    data = loaded("customers")
    settings = data.wh.settings.with_overrides({"business_hours.enabled": clock})
    assert compare(data, "shared/ticket_sla", "2026-06", EVERYONE, settings=settings) == 6
    assert compare(data, "reports/sla", "2026-06", EVERYONE, settings=settings) == 9


@pytest.mark.parametrize("name", ["reports/pareto", "reports/funnel"])
def test_whole_statement_with_refs_inlined_runs_on_spark(loaded, name):
    """kam.tooling.spark.transpile: the file as one statement (refs as nested subqueries, two levels for pareto)."""
    assert compare(loaded("managers"), name, "2026-Q2", EVERYONE, inline=True) > 0


def test_nested_cte_names_keep_their_scope(spark):
    """Two refs' `final`s, an inner name shadowing an outer one, a CTE named like the table it reads."""
    sql = """
        with final as (select 1 as x),
        visits as (select count(*) as n from visits)
        select f.x, v.n, s.y, s.z
        from final f, visits v,
             (with final as (select 2 as y), other as (select y + 1 as z from final)
              select * from final, other) s
    """
    spark.createDataFrame([(1,), (2,), (3,)], "visit_id int").createOrReplaceTempView("visits")
    assert spark.sql(ks.to_spark(sql)).collect() == [(1, 3, 2, 3)]


def test_percentile_cont_is_exact_on_spark(spark):
    """sqlglot alone writes PERCENTILE_APPROX, which answers 3 where percentile_cont interpolates 3.7."""
    sql = ("select percentile_cont(0.9) within group (order by x) as p90, "
           "percentile_cont(0.5) within group (order by x) as median "
           "from (select 1.0 as x union all select 2.0 union all select 3.0 union all select 4.0) t")
    (row,) = spark.sql(ks.to_spark(sql)).collect()
    assert (float(row.p90), float(row.median)) == pytest.approx((3.7, 2.5))
