"""The tables every page shows and `kam report` prints: one function, so both always agree.

A report is queries/reports/<name>.sql run with the period's parameters and the
viewer's scope. Reports that need a planner's model (staffing, model) register a
builder here that still gets its figures from SQL.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from kam.figures.period import Period
from kam.figures.query import EVERYONE, Scope, Warehouse
from kam.storage.sql import report_names

# The report names of the `kam report` contract (docs/metrics.md).
CONTRACT_REPORTS = ("overview", "managers", "classes", "pareto", "sla", "visits", "funnel",
                    "staffing", "model", "branches", "quality", "targets",
                    "retention", "warnings")

Builder = Callable[[Warehouse, Period, Scope], pd.DataFrame]
BUILDERS: dict[str, Builder] = {}
# Modules that register builders with @register; imported on first use.
BUILDER_MODULES = ("kam.planning.staffing", "kam.planning.model_matrix")


def register(name: str):
    def wrap(fn: Builder) -> Builder:
        BUILDERS[name] = fn
        return fn
    return wrap


def _load_builders() -> None:
    import importlib
    import importlib.util
    for module in BUILDER_MODULES:
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)


def available_reports() -> list[str]:
    _load_builders()
    return sorted(set(report_names()) | set(BUILDERS))


def run_report(wh: Warehouse, name: str, period: Period | None = None,
               scope: Scope = EVERYONE) -> pd.DataFrame:
    if name not in available_reports():
        raise KeyError(f"unknown report {name!r}; available: {', '.join(available_reports())}")
    period = period or wh.default_period()
    if name in BUILDERS:
        return BUILDERS[name](wh, period, scope)
    params = wh.period_params(period) if period else {}
    return wh.query(f"reports/{name}", params, scope)
