"""Running the figures' SQL on Spark SQL: the same files under queries/, transpiled by sqlglot.

The warehouse's SQL is written once, in DuckDB's dialect, and kept portable (docs/architecture.md,
"SQL style"). This module is how it runs on Spark (tests/test_spark.py proves the results agree):

    spark = session()                                   # local[2], UTC, TIMESTAMP_NTZ
    runner = SparkRunner(spark, workdir)
    runner.copy_tables(duckdb_cursor, names)            # clean tables and cfg_* as temp views
    runner.build_marts()                                # queries/marts/*.sql in dependency order
    runner.run("reports/overview", params)              # params as the query layer binds them

Two ways to run a file:
- `transpile(name)`: the whole statement, its {{ ref() }}s inlined as subqueries (kam.storage.sql.load_sql),
  in Spark SQL. Correct, but Spark re-analyses every inlined copy: a report that reads a shared
  query through three levels of refs takes tens of seconds to plan.
- `SparkRunner.run(name, params)`: each {{ ref('x') }} is run once as its own statement with the same
  parameters and kept as a temporary view (what dbt calls materialising a model), and the file reads
  that view. A ref is an uncorrelated subquery, so the result is the same; a ref run with the same
  parameters is reused until the tables change.

sqlglot's Spark output is adjusted in two places (both silent mistakes otherwise):
- nested WITHs (one per ref) are moved to the top by sqlglot, where two `final`s collide: their CTEs
  are renamed first;
- `percentile_cont(p) within group (order by x)` becomes PERCENTILE_APPROX, an approximation: it is
  written as Spark's exact `percentile(x, p)` instead.

pyspark is imported lazily: the app never needs it.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import re
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from kam.storage.sql import QUERIES_DIR, load_sql, mart_order, parameter_names

# The clean tables of the warehouse (docs/architecture.md: Tables in the warehouse).
CLEAN_TABLES = ("branches", "managers", "groups", "members", "billing", "visits", "orders", "complaints",
                "assignments", "targets", "contracts", "arrears")

_REF = re.compile(r"\{\{\s*ref\('([a-z0-9_]+)'\)\s*\}\}")
_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")


# ------------------------------------------------------------------------ DuckDB SQL → Spark SQL

def to_spark(sql: str) -> str:
    """One DuckDB statement in Spark SQL; `$p` becomes `:p`. Raises on a construct Spark lacks."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    tree = _exact_percentiles(_unique_cte_names(tree))
    return tree.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE)


@functools.cache
def transpile(name: str) -> str:
    """queries/<name>.sql with its {{ ref() }}s inlined (kam.storage.sql.load_sql), in Spark SQL."""
    return to_spark(load_sql(name))


def _exact_percentiles(tree: exp.Expression) -> exp.Expression:
    """`percentile_cont(p) within group (order by x)` as Spark's exact `percentile(x, p)`.

    sqlglot writes it as PERCENTILE_APPROX for Spark, which on a few values picks one of them
    instead of interpolating: the medians and 90th percentiles of the SLA and funnel reports then
    differ from DuckDB's. Spark's percentile() interpolates between the closest ranks, as
    percentile_cont does, and like it skips NULLs.
    """
    for node in list(tree.find_all(exp.WithinGroup)):
        func, order = node.this, node.expression
        if not isinstance(func, exp.PercentileCont):
            continue
        (ordered,) = order.expressions
        if ordered.args.get("desc"):
            raise ValueError("percentile_cont(p) within group (order by x desc): write it ascending")
        node.replace(exp.Anonymous(this="percentile", expressions=[ordered.this, func.this]))
    return tree


def _unique_cte_names(tree: exp.Expression) -> exp.Expression:
    """Rename the CTEs of every nested WITH (a {{ ref() }} is a subquery with its own `final`).

    sqlglot's Spark writer moves nested CTEs up to the statement's WITH, where two `final`s
    collide (DUPLICATED_CTE_NAMES). Each nested CTE gets a numbered name and the tables that
    name it follow, by the scoping rules of a non-recursive WITH: a CTE is visible in the CTEs
    after it and in the query's body, not in itself or before it. The deepest WITH goes first, so
    an inner name still shadows an outer one.
    """
    nested = [w for w in tree.find_all(exp.With) if w.parent is not tree]
    for number, with_ in enumerate(reversed(nested), start=1):
        query = with_.parent
        renamed: dict[str, str] = {}
        for cte in with_.expressions:
            _rename_tables(cte.this, renamed)
            renamed[cte.alias] = f"{cte.alias}__r{number}"
            cte.set("alias", exp.TableAlias(this=exp.to_identifier(renamed[cte.alias])))
        for key, child in list(query.args.items()):
            if key == "with_" or child is None:
                continue
            for part in child if isinstance(child, list) else [child]:
                if isinstance(part, exp.Expression):
                    _rename_tables(part, renamed)
    return tree


def _rename_tables(node: exp.Expression, renamed: dict[str, str]) -> None:
    for table in list(node.find_all(exp.Table)):
        if not table.args.get("db") and table.name in renamed:
            if not table.alias:
                table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
            table.set("this", exp.to_identifier(renamed[table.name]))


# ------------------------------------------------------------------------ Spark

def session(app_name: str = "kam"):
    """A small local Spark session: 2 cores, no UI, UTC, timestamps without a time zone.

    Whole-stage code generation and adaptive execution are off: on the few rows of a test
    they cost seconds of compiling and re-planning per query and save nothing.
    """
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master("local[2]").appName(app_name)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
            .config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.driver.memory", "2g")
            .config("spark.sql.defaultSizeInBytes", str(1 << 20))
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate())


_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def spark_type(duckdb_type: str):
    """The Spark type holding a DuckDB column type the same way (DATE stays a date, TIMESTAMP has no zone)."""
    from pyspark.sql import types as T

    t = duckdb_type.upper()
    if m := _DECIMAL.fullmatch(t):
        return T.DecimalType(int(m[1]), int(m[2]))
    simple = {
        "VARCHAR": T.StringType(), "DATE": T.DateType(), "TIMESTAMP": T.TimestampNTZType(),
        "BOOLEAN": T.BooleanType(), "INTEGER": T.IntegerType(), "BIGINT": T.LongType(),
        "SMALLINT": T.ShortType(), "TINYINT": T.ByteType(), "DOUBLE": T.DoubleType(), "FLOAT": T.FloatType(),
        "HUGEINT": T.DecimalType(38, 0),
    }
    if t not in simple:
        raise TypeError(f"no Spark type for DuckDB {duckdb_type}")
    return simple[t]


def spark_args(values: dict[str, Any]) -> dict[str, Any]:
    """Parameter values as Spark binds them: lists as Python lists, datetimes without a zone."""
    out = {}
    for key, value in values.items():
        if isinstance(value, tuple):
            value = list(value)
        if isinstance(value, dt.time):
            raise TypeError(f"${key}: Spark cannot bind a TIME; bind seconds after midnight instead")
        out[key] = value
    return out


def _bound(sql: str, params: dict[str, Any], name: str) -> dict[str, Any]:
    wanted = parameter_names(sql)
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"{name} needs parameter(s) {sorted(missing)}")
    return {k: params[k] for k in wanted}


def run_on_spark(spark, name: str, params: dict[str, Any]):
    """queries/<name>.sql, refs inlined, on Spark with exactly the parameters it names; a DataFrame."""
    bound = _bound(load_sql(name), params, name)
    return spark.sql(transpile(name), args=spark_args(bound))


class SparkRunner:
    """Runs queries/ files on one Spark session, each {{ ref() }} materialised once per parameters.

    `workdir` holds the Parquet copies of the DuckDB tables the temp views read.
    """

    def __init__(self, spark, workdir):
        self.spark = spark
        self.workdir = Path(workdir)
        self._refs: dict[tuple, str] = {}
        self._copies = 0

    def copy_tables(self, con, names) -> None:
        """Each DuckDB table or view `name` of the connection as a Spark temp view of the same name and types.

        Through Parquet (DuckDB writes, Spark reads with the schema spelled out), so a fact table of
        a few hundred thousand rows takes a second, not a Python loop.
        """
        from pyspark.sql import types as T

        self._forget_refs()
        self._copies += 1
        folder = self.workdir / f"copy_{self._copies}"  # a new folder: Spark may cache an old file listing
        folder.mkdir(parents=True)
        if "'" in str(folder):
            raise ValueError(f"a quote in the work folder: {folder}")
        for name in names:
            columns = con.execute(f'describe select * from "{name}"').fetchall()
            schema = T.StructType([T.StructField(c[0], spark_type(c[1]), True) for c in columns])
            path = folder / f"{name}.parquet"
            con.execute(f"copy (select * from \"{name}\") to '{path}' (format parquet)")
            self.spark.read.schema(schema).parquet(str(path)).createOrReplaceTempView(name)

    def build_marts(self) -> list[str]:
        """queries/marts/*.sql on Spark, in dependency order, each kept as a materialised temp view."""
        self._forget_refs()
        names = mart_order()
        for name in names:
            _materialise(self.spark.sql(transpile(f"marts/{name}"))).createOrReplaceTempView(name)
        return names

    def run(self, name: str, params: dict[str, Any]):
        """queries/<name>.sql on Spark with exactly the parameters it names; a DataFrame."""
        sql = self._with_ref_views(name, params)
        return self.spark.sql(to_spark(sql), args=spark_args(_bound(sql, params, name)))

    def sql(self, name: str, params: dict[str, Any]) -> str:
        """The Spark SQL `run` sends for queries/<name>.sql (its refs are temp views)."""
        return to_spark(self._with_ref_views(name, params))

    # ------------------------------------------------------------ refs

    def _with_ref_views(self, name: str, params: dict[str, Any]) -> str:
        if not _NAME.match(name):
            raise ValueError(f"not a query name: {name!r}")
        text = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
        text = re.sub(r"--[^\n]*", "", text)
        return _REF.sub(lambda m: self._ref_view(m[1], params), text)

    def _ref_view(self, ref: str, params: dict[str, Any]) -> str:
        sql = self._with_ref_views(f"shared/{ref}", params)
        bound = _bound(sql, params, f"shared/{ref}")
        key = (sql, json.dumps(bound, sort_keys=True, default=str))
        if key not in self._refs:
            view = f"ref_{ref}_{len(self._refs) + 1}"
            frame = _materialise(self.spark.sql(to_spark(sql), args=spark_args(bound)))
            frame.createOrReplaceTempView(view)
            self._refs[key] = view
        return self._refs[key]

    def _forget_refs(self) -> None:
        for view in self._refs.values():
            self.spark.catalog.dropTempView(view)
        self._refs.clear()


def _materialise(frame):
    """The frame computed once and kept in memory; its size is then known, so joins with it broadcast."""
    return frame.localCheckpoint()
