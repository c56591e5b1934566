"""queries/marts in pandas: the marts built from the loaded data, as a notebook would build them."""
from __future__ import annotations

import numpy as np
import pandas as pd


def month_of(ts: pd.Series) -> pd.Series:
    return ts.dt.to_period("M").dt.to_timestamp()


def calendar_months(d) -> pd.DataFrame:
    """marts/calendar_months: every month from the first to the last bill_month."""
    b = d["billing"].bill_month
    if b.empty:
        return d["calendar_months"].iloc[:0]
    start = pd.date_range(b.min(), b.max(), freq="MS")
    return pd.DataFrame({
        "month_start": start, "month_end": start + pd.offsets.MonthEnd(0),
        "prev_month": start - pd.DateOffset(months=1), "yoy_month": start - pd.DateOffset(months=12),
        "month_label": start.strftime("%Y-%m"), "year": start.year, "quarter": start.quarter,
        "quarter_start": start.to_period("Q").to_timestamp()})


def group_fee_months(d) -> pd.DataFrame:
    """marts/group_fee_months: revenue and bill rows per group × bill_month × fee item."""
    return (d["billing"].groupby(["group_id", "bill_month", "fee_item"], as_index=False, observed=True)
            .agg(revenue=("amount", "sum"), bill_rows=("amount", "size"))
            .rename(columns={"bill_month": "month_start"}))


def group_months(d, cal: pd.DataFrame) -> pd.DataFrame:
    """marts/group_months: each group × calendar month: branch, class, manager that month (the
    assignments rule), active, churned, revenue, members active at month end, members who left."""
    months = cal[["month_start", "month_end"]]
    first = months.month_start.min()
    revenue = d["billing"].groupby(["group_id", "bill_month"], observed=True).amount.sum().rename("revenue")
    m = d["members"]
    joins = pd.DataFrame({"group_id": m.group_id, "month_start": month_of(m.join_date).clip(lower=first),
                          "delta": 1, "left_in": 0})
    gone = m[m.leave_date.notna()]
    leaves = pd.DataFrame({"group_id": gone.group_id, "month_start": month_of(gone.leave_date),
                           "delta": -1, "left_in": 1})
    moves = pd.concat([joins, leaves]).groupby(["group_id", "month_start"])[["delta", "left_in"]].sum()
    a = d["assignments"].merge(months, how="cross")
    a = a[a.start_date <= a.month_end]
    a = a.assign(current=(a.end_date.isna() | (a.end_date > a.month_end)))
    a = a.sort_values(["group_id", "month_start", "current", "start_date", "manager_id"],
                      ascending=[True, True, False, False, True]).drop_duplicates(["group_id", "month_start"])
    assigned = a.set_index(["group_id", "month_start"]).manager_id.rename("assigned")
    g = d["groups"][["group_id", "branch_id", "class", "open_date", "close_date", "manager_id"]]
    grid = g.merge(months, how="cross")
    key = pd.MultiIndex.from_arrays([grid.group_id, grid.month_start])
    grid["revenue"] = revenue.reindex(key).fillna(0).to_numpy()
    mv = moves.reindex(key)
    grid["delta"] = mv.delta.fillna(0).to_numpy()
    grid["members_left"] = mv.left_in.fillna(0).astype(int).to_numpy()
    grid = grid.sort_values(["group_id", "month_start"])
    grid["active_members"] = grid.groupby("group_id").delta.cumsum().astype(int)
    grid["manager_id"] = pd.Series(assigned.reindex(pd.MultiIndex.from_arrays(
        [grid.group_id, grid.month_start])).to_numpy(), index=grid.index).fillna(grid.manager_id)
    grid["is_active"] = ((grid.open_date.isna() | (grid.open_date <= grid.month_end))
                         & (grid.close_date.isna() | (grid.close_date > grid.month_end)))
    grid["churned_in_month"] = grid.close_date.notna() & (grid.close_date >= grid.month_start) \
        & (grid.close_date <= grid.month_end)
    star = d["managers"].set_index("manager_id").star_level
    grid["manager_star"] = grid.manager_id.map(star)
    grid["star_needed"] = grid["class"].map({"A": 3, "B": 2}).fillna(1).astype(int)
    fits = grid.manager_star >= grid.star_needed
    grid["star_fits"] = pd.array(np.where(grid.manager_id.isna(), False, fits), dtype="boolean")
    grid.loc[grid.manager_id.notna() & grid.manager_star.isna(), "star_fits"] = pd.NA
    cols = ["group_id", "month_start", "month_end", "branch_id", "manager_id", "class", "is_active",
            "churned_in_month", "revenue", "active_members", "members_left", "manager_star", "star_needed",
            "star_fits"]
    return grid[cols].reset_index(drop=True)


def build_marts(d) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """The three marts from the loaded data, and the seconds each took."""
    import time
    out, took = {}, {}
    start = time.perf_counter()
    out["calendar_months"] = calendar_months(d)
    took["calendar_months"] = time.perf_counter() - start
    start = time.perf_counter()
    out["group_fee_months"] = group_fee_months(d)
    took["group_fee_months"] = time.perf_counter() - start
    start = time.perf_counter()
    out["group_months"] = group_months(d, out["calendar_months"])
    took["group_months"] = time.perf_counter() - start
    return out, took
