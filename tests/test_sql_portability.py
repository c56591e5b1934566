"""The figures' SQL stays portable to Spark SQL (../shared/notes/platform.md: what translates cleanly)."""
from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from kam.storage.sql import QUERIES_DIR, load_sql

# Staging and meta run only inside the DuckDB ingest/app; marts, shared, reports and pages are
# the figures an operator would run on Spark.
PORTABLE = sorted(p for p in QUERIES_DIR.rglob("*.sql") if p.parent.name in ("marts", "shared", "reports", "pages"))
NAMES = [f"{p.parent.name}/{p.stem}" for p in PORTABLE]

# Constructs that sqlglot turns into SQL Spark rejects or gets wrong, silently.
TRAPS = {
    r"\bin\s*\(?\s*\$\w+\s*\)?": "IN $list: use = any($list)",
    r"\blen\s*\(\s*\$": "len($list)",
    r"quantile_cont\s*\([^)]*,\s*0?\.\d+\s*\)": "quantile_cont(x, p): use percentile_cont(p) within group (order by x)",
    r"\bpivot\s+\w+\s+on\b": "DuckDB's short PIVOT",
    r"hive_partitioning": "read_parquet(..., hive_partitioning=true)",
    r"\bkam_\w+\s*\(": "a DuckDB macro",
}


@pytest.mark.parametrize("name", NAMES)
def test_query_transpiles_to_spark_without_unsupported_constructs(name):
    sqlglot.transpile(load_sql(name), read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)


@pytest.mark.parametrize("name", NAMES)
def test_query_avoids_the_constructs_that_translate_wrongly(name):
    text = re.sub(r"--[^\n]*", "", load_sql(name)).lower()
    found = [why for pattern, why in TRAPS.items() if re.search(pattern, text)]
    assert not found, f"{name}: {found}"


def test_the_trap_patterns_catch_what_they_should():
    samples = {"where b in $branches": 1, "where b in ($branches)": 1, "len($x)": 1,
               "quantile_cont(x, 0.9)": 1, "where b = any($branches)": 0,
               "percentile_cont(0.9) within group (order by x)": 0}
    for text, expected in samples.items():
        hits = sum(bool(re.search(p, text)) for p in TRAPS)
        assert hits == expected, text
