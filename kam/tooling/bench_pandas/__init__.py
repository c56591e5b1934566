"""The `kam report` tables computed in pandas, for the benchmark's "pandas ÷ ours" ratio.

Each function takes the same inputs the report SQL reads — the warehouse's clean tables and marts
and the settings tables, loaded once into DataFrames by `load` — and the same parameters, and
returns the same table (columns, rows, order). They are written the way an analyst would write
them in a notebook: merges, group-bys and a few vectorised columns, no loops over rows.

`APPROXIMATE` names what a function leaves out; kam/tooling/bench/reports.py compares every pandas
table with the report's own and prints whether they agree, so "the same table" is checked, not assumed.

The files follow queries/: marts.py (queries/marts), shared.py (queries/shared), reports.py
(queries/reports), each function named after the SQL file it reproduces; here, loading the inputs,
running a report, and comparing two tables.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from kam.tooling.bench_pandas.marts import build_marts  # noqa: F401 (the benchmark calls bench_pandas.build_marts)
from kam.tooling.bench_pandas.reports import REPORTS

# Inputs of the report SQL (tables and marts of the warehouse, settings tables of the query layer).
TABLES = ("branches", "managers", "groups", "visits", "orders", "complaints", "group_months",
          "group_fee_months", "calendar_months", "set_aside_rows", "file_manifest")
# The loaded data the marts are built from (only the columns the marts read, for memory).
DATA = {"billing": "group_id, bill_month, fee_item, amount",
        "members": "group_id, join_date, leave_date",
        "assignments": "group_id, manager_id, start_date, end_date"}
# The marts each report reads, directly or through queries/shared.
NEEDS = {"overview": ("calendar_months", "group_fee_months", "group_months"),
         "branches": ("calendar_months", "group_fee_months", "group_months"),
         "classes": ("calendar_months", "group_fee_months", "group_months"),
         "pareto": ("calendar_months", "group_fee_months", "group_months"),
         "sla": ("calendar_months", "group_months"),
         "visits": ("calendar_months", "group_months"),
         "funnel": (),
         "managers": ("calendar_months", "group_months"),
         "staffing": ("calendar_months", "group_months"),
         "model": ("calendar_months", "group_fee_months", "group_months"),
         "quality": ()}

# What each pandas version does not reproduce (empty: the whole table).
APPROXIMATE = {
    "sla": "calendar-hours clock only (the settings' business-hours clock, off by default, is not reproduced)",
    "overview": "calendar-hours SLA clock only",
    "branches": "calendar-hours SLA clock only",
    "managers": "calendar-hours SLA clock only",
}


def load(wh, with_data: bool = False) -> dict[str, pd.DataFrame]:
    """Every input of the report SQL as a DataFrame; with_data: also the loaded rows the marts are
    built from (what a notebook starts from)."""
    cur = wh._con.cursor()
    try:
        frames = {name: cur.execute(f'select * from "{name}"').df() for name in TABLES}
        if with_data:
            frames.update({name: _chunked(cur, f'select {cols} from "{name}"') for name, cols in DATA.items()})
        for name in ("cfg_sla_target", "cfg_visit_standard", "cfg_visit_kind", "cfg_capacity",
                     "cfg_score_weight"):
            frames[name] = cur.execute(f'select * from "{name}"').df()
    finally:
        cur.close()
    for frame in frames.values():
        for col in frame.columns:
            if frame[col].dtype == object and len(frame) and isinstance(frame[col].iloc[0], dt.date):
                frame[col] = pd.to_datetime(frame[col])
    return frames


def _chunked(cur, sql: str) -> pd.DataFrame:
    """A large table in chunks, its text columns as categoricals (ids repeat: 60M bill rows name
    50,000 groups), so that loading it does not hold every string as a Python object at once."""
    from pandas.api.types import union_categoricals
    cur.execute(sql)
    parts = []
    while True:
        chunk = cur.fetch_df_chunk(200)
        if chunk.empty:
            break
        for col in chunk.columns:
            if pd.api.types.is_string_dtype(chunk[col]) or chunk[col].dtype == object:
                chunk[col] = chunk[col].astype("category")
        parts.append(chunk)
    if not parts:
        return cur.execute(sql).df()
    out = {}
    for col in parts[0].columns:
        if isinstance(parts[0][col].dtype, pd.CategoricalDtype):
            out[col] = union_categoricals([p[col] for p in parts])
        else:
            out[col] = np.concatenate([p[col].to_numpy() for p in parts])
    return pd.DataFrame(out)


def params(wh, period) -> dict:
    p = dict(wh.settings.sql_params())
    p.update(wh.period_params(period))
    p["branches"] = wh.query_all_branches()
    for k in ("period_start", "period_end", "period_last_month", "prev_start", "prev_end", "yoy_start",
              "yoy_end", "as_of"):
        p[k] = pd.Timestamp(p[k])
    return p


def run(name: str, d, p, settings) -> pd.DataFrame:
    fn = REPORTS[name]
    return fn(d, p, settings) if name == "model" else fn(d, p)


def agreement(ours: pd.DataFrame, theirs: pd.DataFrame) -> str:
    """'same' when every cell agrees (numbers to 1e-6 relative or 0.01 absolute), else what differs."""
    if list(ours.columns) != list(theirs.columns):
        missing = [c for c in ours.columns if c not in theirs.columns]
        if missing:
            return f"columns differ ({', '.join(missing[:4])} missing)"
        theirs = theirs[list(ours.columns)]
    if len(ours) != len(theirs):
        return f"rows differ ({len(ours)} vs {len(theirs)})"
    a, b = ours.reset_index(drop=True), theirs.reset_index(drop=True)
    bad = []
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
            xf, yf = pd.to_numeric(x, errors="coerce").astype(float), pd.to_numeric(y, errors="coerce").astype(float)
            ok = np.isclose(xf, yf, rtol=1e-6, atol=0.01, equal_nan=True)
        else:
            ok = (x.astype(str) == y.astype(str)) | (x.isna() & y.isna())
        if not np.all(ok):
            bad.append(col)
    return "same" if not bad else f"{len(bad)} column(s) differ: {', '.join(bad[:4])}"
