"""Finding the SQL files under queries/ and binding their named parameters.

Files are referenced by name (`reports/pareto`), never pasted together from user
input; parameters are always bound. DuckDB refuses a parameter the statement does
not use, so each call binds exactly the statement's own names.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import duckdb

QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"
_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")


class MissingParameter(KeyError):
    pass


_REF = re.compile(r"\{\{\s*ref\('([a-z0-9_]+)'\)\s*\}\}")


@functools.cache
def load_sql(name: str) -> str:
    """The text of queries/<name>.sql, its {{ ref('x') }} replaced by queries/shared/x.sql.

    A figure used by several pages (SLA breaches, visit compliance) is defined once in
    queries/shared/ and referenced, as dbt's ref() does. The name is checked so it
    cannot leave the folder.
    """
    if not _NAME.match(name):
        raise ValueError(f"not a query name: {name!r}")
    text = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return _REF.sub(lambda m: "(\n" + _strip_comments(load_sql("shared/" + m[1])) + "\n)", text)


def report_names() -> list[str]:
    return sorted(p.stem for p in (QUERIES_DIR / "reports").glob("*.sql"))


def mart_names() -> list[str]:
    return sorted(p.stem for p in (QUERIES_DIR / "marts").glob("*.sql"))


def mart_order() -> list[str]:
    """Marts in an order where each comes after the marts it reads."""
    names = mart_names()
    deps = {n: {m for m in names if m != n and re.search(rf"\b{m}\b", _strip_comments(load_sql('marts/' + n)))}
            for n in names}
    ordered: list[str] = []
    while deps:
        ready = sorted(n for n, d in deps.items() if d <= set(ordered))
        if not ready:
            raise ValueError(f"marts depend on each other in a cycle: {sorted(deps)}")
        ordered += ready
        for n in ready:
            del deps[n]
    return ordered


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


@functools.cache
def parameter_names(sql: str) -> frozenset[str]:
    """The named parameters the statement uses ($name)."""
    statements = duckdb.extract_statements(sql)
    names: set[str] = set()
    for st in statements:
        names |= set(st.named_parameters)
    return frozenset(names)


def bind(sql: str, available: dict) -> dict:
    """Exactly the statement's own parameters, taken from `available`."""
    wanted = parameter_names(sql)
    missing = wanted - available.keys()
    if missing:
        raise MissingParameter(f"query needs parameter(s) {sorted(missing)}")
    return {k: available[k] for k in wanted}
