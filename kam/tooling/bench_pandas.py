"""The `kam report` tables computed in pandas, for the benchmark's "pandas ÷ ours" ratio.

Each function takes the same inputs the report SQL reads — the warehouse's clean tables and marts
and the settings tables, loaded once into DataFrames by `load` — and the same parameters, and
returns the same table (columns, rows, order). They are written the way an analyst would write
them in a notebook: merges, group-bys and a few vectorised columns, no loops over rows.

`APPROXIMATE` names what a function leaves out; kam/tooling/bench/reports.py compares every pandas table with
the report's own and prints whether they agree, so "the same table" is checked, not assumed.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

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


# ---------------------------------------------------------------- the marts, from the loaded data

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
    joins = pd.DataFrame({"group_id": m.group_id, "month_start": _month(m.join_date).clip(lower=first),
                          "delta": 1, "left_in": 0})
    gone = m[m.leave_date.notna()]
    leaves = pd.DataFrame({"group_id": gone.group_id, "month_start": _month(gone.leave_date),
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


# ---------------------------------------------------------------- shared definitions

def _month(ts: pd.Series) -> pd.Series:
    return ts.dt.to_period("M").dt.to_timestamp()


def ticket_sla(d, p) -> pd.DataFrame:
    """shared/ticket_sla: each ticket's clocks at $as_of (calendar hours)."""
    as_of = p["as_of"]
    c = d["complaints"]
    c = c[c.created_at <= as_of].copy()
    for col, new in (("first_response_at", "responded_at"), ("resolved_at", "resolved_at"),
                     ("followup_at", "followup_at")):
        c[new] = c[col].where(c[col] <= as_of)
    g = d["groups"][["group_id", "branch_id", "class", "manager_id"]]
    c = c.drop(columns=["first_response_at"]).merge(g, on="group_id")
    c["month_start"] = _month(c.created_at)
    gm = d["group_months"][["group_id", "month_start", "manager_id"]].rename(columns={"manager_id": "gm_manager"})
    c = c.merge(gm, on=["group_id", "month_start"], how="left")
    c["manager_id"] = c.gm_manager.fillna(c.manager_id)
    t = c.merge(d["cfg_sla_target"], on=["class", "severity"])
    secs = lambda a, b: (b - a).dt.total_seconds().floordiv(1)  # noqa: E731
    t["response_s"] = secs(t.created_at, t.responded_at.fillna(as_of))
    t["resolve_s"] = secs(t.created_at, t.resolved_at.fillna(as_of))
    t["followup_s"] = secs(t.resolved_at, t.followup_at.fillna(as_of)).where(t.resolved_at.notna())
    t["response_h"], t["resolve_h"], t["followup_h"] = t.response_s / 3600, t.resolve_s / 3600, t.followup_s / 3600
    t["response_breached"] = t.response_s > t.response_hours * 3600
    t["resolve_breached"] = t.resolve_s > t.resolve_hours * 3600
    t["followup_breached"] = t.followup_s > p["followup_hours"] * 3600
    t["is_open"] = t.resolved_at.isna()
    return t


def customer_months(d, p) -> pd.DataFrame:
    """shared/customer_months: additive counts per branch × class × month with billing."""
    gm = d["group_months"]
    data_months = d["group_fee_months"].month_start.unique()
    cal = d["calendar_months"]
    months = cal[cal.month_start.isin(data_months)][["month_start", "prev_month"]]
    rows = gm.merge(months, on="month_start")
    prev = gm[["group_id", "month_start", "active_members"]].rename(
        columns={"month_start": "prev_month", "active_members": "members_prev"})
    rows = rows.merge(prev, on=["group_id", "prev_month"], how="left")
    act = rows.is_active
    rows = rows.assign(
        g=act.astype(int), m=rows.active_members.where(act, 0),
        wm=(act & rows.manager_id.notna()).astype(int), sf=(act & rows.star_fits.fillna(False)).astype(int),
        un=(act & rows.manager_id.isna()).astype(int),
        arpu_revenue=rows.revenue.where(act & (rows.active_members > 0), 0),
        ch=rows.churned_in_month.astype(int))
    out = rows.groupby(["branch_id", "class", "month_start"], as_index=False).agg(
        groups=("g", "sum"), members=("m", "sum"), with_manager=("wm", "sum"), star_fit=("sf", "sum"),
        unassigned=("un", "sum"), revenue=("revenue", "sum"), arpu_revenue=("arpu_revenue", "sum"),
        members_left=("members_left", "sum"), members_base=("members_prev", lambda s: s.sum(min_count=1)),
        churned_groups=("ch", "sum"))
    t = ticket_sla(d, p)
    t = t.assign(month_start=_month(t.created_at), ok=(~t.resolve_breached).astype(int))
    tickets = t.groupby(["branch_id", "class", "month_start"], as_index=False).agg(
        tickets=("ticket_id", "size"), tickets_resolved_in_sla=("ok", "sum"))
    out = out.merge(tickets, on=["branch_id", "class", "month_start"], how="left")
    out[["tickets", "tickets_resolved_in_sla"]] = out[["tickets", "tickets_resolved_in_sla"]].fillna(0)
    return out


def _periods(p, with_month=False):
    return [("current", p["period_start"], p["period_end"]), ("previous", p["prev_start"], p["prev_end"]),
            ("year_ago", p["yoy_start"], p["yoy_end"])]


def visit_compliance_periods(d, p, kinds=("current",)) -> pd.DataFrame:
    """shared/visit_compliance_periods for the chosen, previous and year-ago periods."""
    gm = d["group_months"]
    std = d["cfg_visit_standard"]
    counted = d["visits"][d["visits"].kind.isin(d["cfg_visit_kind"].kind)][["visit_id", "group_id", "visit_date"]]
    out = []
    for kind, start, end in _periods(p):
        if kind not in kinds:
            continue
        last = end.to_period("M").to_timestamp()
        book = gm[(gm.month_start == last) & gm.is_active][["group_id", "branch_id", "manager_id", "class"]]
        book = book.merge(std, on="class")
        monthly = (p["period_months"] == 1) & book.per_month.notna()
        book["required_visits"] = np.where(monthly, book.per_month, book.per_quarter).astype(int)
        quarterly_c = (p["period_months"] == 1) & book.per_month.isna()
        book["window_start"] = np.where(quarterly_c, start - pd.DateOffset(months=2), start)
        v = book[["group_id", "window_start"]].merge(counted, on="group_id")
        v = v[(v.visit_date >= v.window_start) & (v.visit_date <= end)]
        n = v.groupby("group_id").size()
        book["visits"] = book.group_id.map(n).fillna(0).astype(int)
        book["compliant"] = book.visits >= book.required_visits
        book["period_kind"] = kind
        out.append(book)
    return pd.concat(out, ignore_index=True)


def period_kpis(d, p) -> pd.DataFrame:
    """shared/period_kpis for 'current', 'previous' and 'year_ago' (per branch and all together)."""
    km = customer_months(d, p)
    km = km[km.branch_id.isin(p["branches"])]
    n_current = km[(km.month_start >= p["period_start"]) & (km.month_start <= p["period_end"])].month_start.nunique()
    vc = visit_compliance_periods(d, p, ("current", "previous", "year_ago"))
    vc = vc[vc.branch_id.isin(p["branches"])]
    rows = []
    for kind, start, end in _periods(p):
        in_span = km[(km.month_start >= start) & (km.month_start <= end)]
        months = in_span.month_start.nunique()
        if months == 0 or (kind != "current" and not (months == p["period_months"] == n_current)):
            continue
        last = in_span.month_start.max()
        at_end = in_span[in_span.month_start == last]
        v = vc[vc.period_kind == kind]
        for branch, part, part_end, part_v in [(b, in_span[in_span.branch_id == b], at_end[at_end.branch_id == b],
                                                v[v.branch_id == b]) for b in sorted(in_span.branch_id.unique())] \
                + [(None, in_span, at_end, v)]:
            rows.append({
                "period": kind, "period_start": start, "months_with_data": months, "branch_id": branch,
                "groups": part_end.groups.sum(),
                "groups_a": part_end[part_end["class"] == "A"].groups.sum(),
                "groups_b": part_end[part_end["class"] == "B"].groups.sum(),
                "groups_c": part_end[part_end["class"] == "C"].groups.sum(),
                "members": part_end.members.sum(), "unassigned_groups": part_end.unassigned.sum(),
                "star_fit_rate": part_end.star_fit.sum() / part_end.with_manager.sum()
                if part_end.with_manager.sum() else np.nan,
                "revenue": round(part.revenue.sum(), 2),
                "arpu": round(part.arpu_revenue.sum() / part.members.sum(), 2) if part.members.sum() else np.nan,
                "churned_groups": part.churned_groups.sum(), "members_left": part.members_left.sum(),
                "member_churn_rate": part[part.members_base.notna()].members_left.sum() / part.members_base.sum()
                if part.members_base.sum() else np.nan,
                "tickets": part.tickets.sum(),
                "sla_resolve_compliance": part.tickets_resolved_in_sla.sum() / part.tickets.sum()
                if part.tickets.sum() else np.nan,
                "visit_compliance": part_v.compliant.sum() / len(part_v) if len(part_v) else np.nan,
            })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the reports

def overview(d, p) -> pd.DataFrame:
    k = period_kpis(d, p)
    totals = k[k.branch_id.isna()].set_index("period")
    spec = [("groups", "count"), ("groups_a", "count"), ("groups_b", "count"), ("groups_c", "count"),
            ("churned_groups", "count"), ("members", "count"), ("members_left", "count"),
            ("member_churn_rate", "rate"), ("revenue", "money"), ("arpu", "money"),
            ("sla_resolve_compliance", "rate"), ("visit_compliance", "rate"), ("star_fit_rate", "rate"),
            ("unassigned_groups", "count")]
    rows = []
    for kpi, kind in spec:
        get = lambda period: float(totals.at[period, kpi]) if period in totals.index else np.nan  # noqa: E731
        value, previous, year_ago = get("current"), get("previous"), get("year_ago")

        def change(earlier):
            if kind == "rate":
                return value - earlier
            return value / earlier - 1 if earlier > 0 else np.nan
        rows.append({"kpi": kpi, "kind": kind, "value": value, "previous": previous, "year_ago": year_ago,
                     "mom_change": change(previous), "yoy_change": change(year_ago),
                     "months_with_data": int(totals.at["current", "months_with_data"]) if "current" in totals.index else 0})
    return pd.DataFrame(rows)


def branches(d, p) -> pd.DataFrame:
    k = period_kpis(d, p)
    cur = k[(k.period == "current") & k.branch_id.notna()]
    prev = k[(k.period == "previous") & k.branch_id.notna()][["branch_id", "revenue"]].rename(
        columns={"revenue": "prev_revenue"})
    f = cur.merge(d["branches"][["branch_id", "branch_name"]], on="branch_id").merge(prev, on="branch_id", how="left")
    f["revenue_mom"] = np.where(f.prev_revenue > 0, f.revenue / f.prev_revenue - 1, np.nan)
    cols = ["branch_id", "branch_name", "groups", "groups_a", "groups_b", "groups_c", "members", "revenue",
            "revenue_mom", "arpu", "member_churn_rate", "visit_compliance", "sla_resolve_compliance",
            "star_fit_rate", "unassigned_groups", "churned_groups", "members_left", "tickets"]
    f = f[cols].copy()
    f["groups_rank"] = f.groups.rank(method="min", ascending=False).astype(int)
    f["members_rank"] = f.members.rank(method="min", ascending=False).astype(int)
    for col, asc in (("revenue", False), ("revenue_mom", False), ("arpu", False), ("member_churn_rate", True),
                     ("visit_compliance", False), ("sla_resolve_compliance", False), ("star_fit_rate", False)):
        f[f"{col}_rank"] = f[col].rank(method="min", ascending=asc).astype("Int64")
    return f.sort_values("branch_id").reset_index(drop=True)


def classes(d, p) -> pd.DataFrame:
    km = customer_months(d, p)
    km = km[km.branch_id.isin(p["branches"]) & (km.month_start >= p["period_start"])
            & (km.month_start <= p["period_end"])]
    last = km.month_start.max()
    at_end = km[km.month_start == last].groupby(["branch_id", "class"])[["groups", "members"]].sum()
    f = km.groupby(["branch_id", "class"], as_index=False).revenue.sum()
    f = f.join(at_end, on=["branch_id", "class"]).fillna({"groups": 0, "members": 0})
    f = f.merge(d["branches"][["branch_id", "branch_name"]], on="branch_id")
    f["groups_share"] = f.groups / f.groups.sum() if f.groups.sum() else np.nan
    f["revenue_share"] = f.revenue / f.revenue.sum() if f.revenue.sum() else np.nan
    cols = ["branch_id", "branch_name", "class", "groups", "members", "revenue", "groups_share", "revenue_share"]
    return f[cols].sort_values(["branch_id", "class"]).reset_index(drop=True)


def _period_groups(d, p) -> pd.DataFrame:
    gfm, gm = d["group_fee_months"], d["group_months"]
    last = gfm[(gfm.month_start >= p["period_start"]) & (gfm.month_start <= p["period_end"])].month_start.max()
    active = gm[(gm.month_start == last) & gm.is_active & gm.branch_id.isin(p["branches"])]
    in_period = gm[(gm.month_start >= p["period_start"]) & (gm.month_start <= p["period_end"])]
    revenue = in_period[in_period.group_id.isin(active.group_id)].groupby("group_id").revenue.sum()
    return active.assign(revenue=active.group_id.map(revenue).fillna(0).round(2))


def pareto(d, p) -> pd.DataFrame:
    g = _period_groups(d, p).sort_values(["revenue", "group_id"], ascending=[False, True])
    n, total = len(g), g.revenue.sum()
    rank = np.arange(1, n + 1)
    cum = g.revenue.cumsum().to_numpy()
    top = 5 * (rank - 1) < n
    reaches = (total > 0) & (5 * cum >= 4 * total)
    return pd.DataFrame([{
        "groups": n, "top_groups": int(top.sum()), "revenue": round(total, 2),
        "top20_revenue": round(g.revenue[top].sum(), 2),
        "top20_share": g.revenue[top].sum() / total if total > 0 else np.nan,
        "groups_for_80": int(rank[reaches].min()) if total > 0 and reaches.any() else np.nan,
        "share_for_80": rank[reaches].min() / n if total > 0 and reaches.any() else np.nan}])


def sla(d, p) -> pd.DataFrame:
    t = ticket_sla(d, p)
    t = t[t.branch_id.isin(p["branches"]) & (t.created_at >= p["period_start"])
          & (t.created_at < p["period_end"] + pd.Timedelta(days=1))]
    t = t.assign(resp=t.response_h.where(t.responded_at.notna()), res=t.resolve_h.where(t.resolved_at.notna()),
                 fol=t.followup_h.where(t.followup_at.notna()), resolved=t.resolved_at.notna())
    c = t.groupby(["class", "severity"]).agg(
        tickets=("ticket_id", "size"), response_breaches=("response_breached", "sum"),
        resolve_breaches=("resolve_breached", "sum"), followup_breaches=("followup_breached", "sum"),
        open=("is_open", "sum"), resolved_tickets=("resolved", "sum"),
        response_median_h=("resp", "median"), response_p90_h=("resp", lambda s: s.quantile(0.9)),
        resolve_median_h=("res", "median"), resolve_p90_h=("res", lambda s: s.quantile(0.9)),
        followup_median_h=("fol", "median"), followup_p90_h=("fol", lambda s: s.quantile(0.9)))
    f = d["cfg_sla_target"].merge(c.reset_index(), on=["class", "severity"], how="left")
    for col in ("tickets", "response_breaches", "resolve_breaches", "followup_breaches", "open", "resolved_tickets"):
        f[col] = f[col].fillna(0).astype(int)
    f["sla_response_compliance"] = 1 - f.response_breaches / f.tickets.replace(0, np.nan)
    f["sla_resolve_compliance"] = 1 - f.resolve_breaches / f.tickets.replace(0, np.nan)
    f["sla_followup_compliance"] = 1 - f.followup_breaches / f.resolved_tickets.replace(0, np.nan)
    f["response_target_h"] = f.response_hours.astype(float)
    f["resolve_target_h"] = f.resolve_hours.astype(float)
    f["followup_target_h"] = float(p["followup_hours"])
    cols = ["class", "severity", "tickets", "response_breaches", "resolve_breaches", "followup_breaches", "open",
            "resolved_tickets", "sla_response_compliance", "sla_resolve_compliance", "sla_followup_compliance",
            "response_target_h", "response_median_h", "response_p90_h", "resolve_target_h", "resolve_median_h",
            "resolve_p90_h", "followup_target_h", "followup_median_h", "followup_p90_h"]
    return f[cols].sort_values(["class", "severity"]).reset_index(drop=True)


def visits(d, p) -> pd.DataFrame:
    j = visit_compliance_periods(d, p)
    j = j[j.branch_id.isin(p["branches"])]
    cal = d["calendar_months"]
    q_start = cal[cal.month_start == p["period_last_month"]].quarter_start.iloc[0]
    v = d["visits"]
    cared = set(v[(v.kind == "care") & (v.visit_date >= q_start) & (v.visit_date <= p["period_end"])].group_id)
    j = j.assign(cared=j.group_id.isin(cared))
    f = j.groupby(["branch_id", "class"], as_index=False).agg(
        groups=("group_id", "size"), compliant_groups=("compliant", "sum"), required_visits=("required_visits", "min"),
        visits=("visits", "sum"), cared_groups=("cared", "sum"))
    f = f.merge(d["branches"][["branch_id", "branch_name"]], on="branch_id")
    f["visit_compliance"] = f.compliant_groups / f.groups
    f["care_coverage"] = f.cared_groups / f.groups
    cols = ["branch_id", "branch_name", "class", "groups", "compliant_groups", "visit_compliance",
            "required_visits", "visits", "cared_groups", "care_coverage"]
    return f[cols].sort_values(["branch_id", "class"]).reset_index(drop=True)


def order_stages(d, p) -> pd.DataFrame:
    as_of = p["as_of"]
    o = d["orders"]
    o = o[o.visited_at <= as_of].merge(d["groups"][["group_id", "branch_id", "class"]], on="group_id")
    for col in ("handled_at", "contracted_at", "built_at", "activated_at"):
        o[col] = o[col].where(o[col] <= as_of)
    days = lambda a, b: (b - a).dt.total_seconds() // 1 / 86400.0  # noqa: E731
    o["days_visited_handled"] = days(o.visited_at, o.handled_at)
    o["days_handled_contracted"] = days(o.handled_at, o.contracted_at)
    o["days_contracted_built"] = days(o.contracted_at, o.built_at)
    o["days_built_activated"] = days(o.built_at, o.activated_at)
    o["days_visited_activated"] = days(o.visited_at, o.activated_at)
    return o


def funnel(d, p) -> pd.DataFrame:
    o = order_stages(d, p)
    o = o[o.branch_id.isin(p["branches"]) & (o.visited_at.dt.normalize() >= p["period_start"])
          & (o.visited_at.dt.normalize() <= p["period_end"])]
    days = lambda a, b: (b - a).dt.total_seconds() // 1 / 86400.0  # noqa: E731
    reached = [
        (1, "visited", o, pd.Series(np.nan, index=o.index), pd.Series(0.0, index=o.index)),
        (2, "handled", o[o.handled_at.notna()], o.days_visited_handled, o.days_visited_handled),
        (3, "contracted", o[o.contracted_at.notna()], o.days_handled_contracted, days(o.visited_at, o.contracted_at)),
        (4, "built", o[o.built_at.notna()], o.days_contracted_built, days(o.visited_at, o.built_at)),
        (5, "activated", o[o.activated_at.notna()], o.days_built_activated, o.days_visited_activated),
    ]
    rows = []
    for order, stage, part, prev_days, visit_days in reached:
        pd_, vd = prev_days[part.index], visit_days[part.index]
        rows.append({"stage_order": order, "stage": stage, "orders": len(part),
                     "median_days": round(pd_.median(), 2), "p90_days": round(pd_.quantile(0.9), 2),
                     "median_days_from_visit": round(vd.median(), 2) if order > 1 else np.nan,
                     "p90_days_from_visit": round(vd.quantile(0.9), 2) if order > 1 else np.nan})
    f = pd.DataFrame(rows)
    f["conversion"] = f.orders / f.orders.shift(1).replace(0, np.nan)
    f["conversion_from_visit"] = f.orders / (f.orders.iloc[0] or np.nan)
    return f[["stage_order", "stage", "orders", "conversion", "conversion_from_visit", "median_days", "p90_days",
              "median_days_from_visit", "p90_days_from_visit"]]


def managers(d, p) -> pd.DataFrame:
    gm, cal = d["group_months"], d["calendar_months"]
    pm = cal[(cal.month_start >= p["period_start"]) & (cal.month_start <= p["period_last_month"])].copy()
    pm["prev_m"] = pm.prev_month if p["period_months"] == 1 else pm.month_start - pd.DateOffset(months=3)
    look = gm.set_index(["group_id", "month_start"])
    served = gm[gm.manager_id.notna() & gm.branch_id.isin(p["branches"])].merge(
        pm[["month_start", "prev_m", "yoy_month", "prev_month"]], on="month_start")
    for col, src, field in (("prev_revenue", "prev_m", "revenue"), ("yoy_revenue", "yoy_month", "revenue"),
                            ("members_before", "prev_month", "active_members")):
        served[col] = look[field].reindex(pd.MultiIndex.from_arrays([served.group_id, served[src]])).to_numpy()
    served["left_with_base"] = served.members_left.where(served.members_before.notna())
    money = served.groupby("manager_id").agg(
        revenue=("revenue", "sum"), n=("revenue", "size"), n_prev=("prev_revenue", "count"),
        prev=("prev_revenue", "sum"), n_yoy=("yoy_revenue", "count"), yoy=("yoy_revenue", "sum"),
        members_left=("left_with_base", lambda s: s.sum(min_count=1)),
        members_before=("members_before", lambda s: s.sum(min_count=1)))
    money["revenue_prev"] = money.prev.where(money.n_prev == money.n)
    money["revenue_yoy_base"] = money.yoy.where(money.n_yoy == money.n)
    end = gm[(gm.month_start == p["period_last_month"]) & gm.is_active & gm.manager_id.notna()
             & gm.branch_id.isin(p["branches"])]
    book = end.assign(a=end["class"] == "A", b=end["class"] == "B", c=end["class"] == "C",
                      fit=end.star_fits.fillna(False)).groupby("manager_id").agg(
        groups=("group_id", "size"), groups_a=("a", "sum"), groups_b=("b", "sum"), groups_c=("c", "sum"),
        members=("active_members", "sum"), avg_members=("active_members", "mean"), fitting_groups=("fit", "sum"))
    vc = visit_compliance_periods(d, p)
    vs = vc[vc.branch_id.isin(p["branches"])].groupby("manager_id").compliant.sum()
    q_start = cal.set_index("month_start").quarter_start
    v = d["visits"][d["visits"].kind == "care"]
    e = end.assign(q=end.month_start.map(q_start)).merge(v[["group_id", "visit_date"]], on="group_id")
    cared = e[(e.visit_date >= e.q) & (e.visit_date <= p["period_end"])].groupby("manager_id").group_id.nunique()
    o = order_stages(d, p)
    o = o[o.branch_id.isin(p["branches"])]
    in_p = lambda s: (s.dt.normalize() >= p["period_start"]) & (s.dt.normalize() <= p["period_end"])  # noqa: E731
    oc = o.assign(v=in_p(o.visited_at), a=in_p(o.activated_at)).groupby("manager_id")[["v", "a"]].sum()
    t = ticket_sla(d, p)
    t = t[t.branch_id.isin(p["branches"]) & in_p(t.created_at) & t.manager_id.notna()]
    t = t.assign(ok=~t.resolve_breached, sat=t.satisfaction.where(t.followup_at.notna()))
    tk = t.groupby("manager_id").agg(tickets=("ticket_id", "size"), ok=("ok", "sum"), satisfaction=("sat", "mean"))
    m = d["managers"].set_index("manager_id")
    c = book.join(m[["manager_name", "branch_id", "star_level", "employment"]], how="inner")
    c = c[c.branch_id.isin(p["branches"])].join(money).join(vs.rename("compliant")).join(
        cared.rename("cared")).join(oc).join(tk)
    c["revenue"] = c.revenue.fillna(0).round(2)
    c["revenue_prev"] = c.revenue_prev.round(2)
    c["revenue_growth"] = (c.revenue / c.revenue_prev.replace(0, np.nan) - 1).round(9)
    c["revenue_yoy"] = (c.revenue / c.revenue_yoy_base.replace(0, np.nan) - 1).round(9)
    c["member_churn_rate"] = (c.members_left / c.members_before.replace(0, np.nan)).round(9)
    c["visit_compliance"] = (c.compliant.fillna(0) / c.groups).round(9)
    c["care_coverage"] = (c.cared.fillna(0) / c.groups).round(9)
    c["orders_visited"] = c.v.fillna(0).astype(int)
    c["orders_activated"] = c.a.fillna(0).astype(int)
    c["tickets"] = c.tickets.fillna(0).astype(int)
    c["sla_resolve_compliance"] = (c.ok / c.tickets.replace(0, np.nan)).round(9)
    c["satisfaction"] = c.satisfaction.round(9)
    c = c.reset_index()
    w = d["cfg_score_weight"].set_index("component").weight
    for comp, col, asc in (("revenue_growth", "revenue_growth", True), ("member_churn", "member_churn_rate", False),
                           ("visit_compliance", "visit_compliance", True),
                           ("sla_resolution", "sla_resolve_compliance", True), ("satisfaction", "satisfaction", True)):
        grp = c.groupby("star_level")[col]
        below = grp.rank(method="min", ascending=asc) - 1
        ties = c.groupby(["star_level", col])[col].transform("size")
        c[f"pr_{comp}"] = ((below + 0.5 * ties) / grp.transform("count")).where(c[col].notna(), 0.5)
    c["raw_score"] = 100 * sum(w[k] * c[f"pr_{k}"] for k in w.index)
    c["score"] = c.raw_score.round(2)
    c["rank"] = c.groupby("star_level").raw_score.transform(
        lambda s: s.round(9).rank(method="min", ascending=False)).astype(int)
    c["managers_in_star"] = c.groupby("star_level").manager_id.transform("size")
    cap = d["cfg_capacity"][["star_level", "min_members", "max_members", "cap_low", "cap_high"]]
    c = c.merge(cap, on="star_level", how="left")
    fits = (c.avg_members > c.min_members - 1) & (c.max_members.isna() | (c.avg_members <= c.max_members))
    c = c[fits | c.min_members.isna()].drop_duplicates("manager_id")
    c["capacity_low"], c["capacity_high"] = c.cap_low, c.cap_high
    c["workload"] = np.where(c.groups > c.cap_high, "over", np.where(c.groups < c.cap_low, "under", "within"))
    c["star_fit_rate"] = c.fitting_groups / c.groups
    c["misfit_groups"] = c.groups - c.fitting_groups
    # SQL round(): the double's exact value to one decimal, halves away from zero
    c["avg_members"] = [float(Decimal(x).quantize(Decimal("0.1"), ROUND_HALF_UP)) if pd.notna(x) else x
                        for x in c.avg_members]
    cols = ["manager_id", "manager_name", "branch_id", "star_level", "employment", "groups", "groups_a", "groups_b",
            "groups_c", "members", "avg_members", "revenue", "revenue_prev", "revenue_growth", "revenue_yoy",
            "member_churn_rate", "visit_compliance", "care_coverage", "orders_visited", "orders_activated", "tickets",
            "sla_resolve_compliance", "satisfaction", "pr_revenue_growth", "pr_member_churn", "pr_visit_compliance",
            "pr_sla_resolution", "pr_satisfaction", "score", "rank", "managers_in_star", "capacity_low",
            "capacity_high", "workload", "star_fit_rate", "misfit_groups"]
    return c[cols].sort_values(["star_level", "rank", "manager_id"], ascending=[False, True, True]).reset_index(drop=True)


def _employed(m, at):
    return (m.hire_date.isna() | (m.hire_date <= at)) & (m.leave_date.isna() | (m.leave_date > at))


def staffing(d, p) -> pd.DataFrame:
    b = d["branches"][d["branches"].branch_id.isin(p["branches"])][["branch_id", "branch_name"]]
    cap = d["cfg_capacity"]
    grid = b.merge(cap[["class", "star_level"]].drop_duplicates(), how="cross")
    gm = d["group_months"]
    end = gm[(gm.month_start == p["period_last_month"]) & gm.is_active & gm.branch_id.isin(p["branches"])]
    book = end.groupby(["branch_id", "class"]).agg(groups=("group_id", "size"), members=("active_members", "sum"))
    m = d["managers"]
    emp = m[m.branch_id.isin(p["branches"]) & _employed(m, p["as_of"])].groupby(["branch_id", "star_level"]).size()
    s = grid.join(book, on=["branch_id", "class"]).join(emp.rename("current"), on=["branch_id", "star_level"])
    s["avg_members"] = s.members / s.groups
    s[["groups", "members", "current"]] = s[["groups", "members", "current"]].fillna(0).astype(int)
    s = s.merge(cap[["class", "min_members", "max_members", "cap_low", "cap_high"]], on="class", how="left")
    fits = (s.min_members - 1 < s.avg_members) & (s.max_members.isna() | (s.avg_members <= s.max_members))
    s = pd.concat([s[fits], s[s.groups == 0].drop_duplicates(["branch_id", "class"]).assign(cap_low=np.nan, cap_high=np.nan)])
    s = s.drop_duplicates(["branch_id", "class"])
    s["capacity_low"], s["capacity_high"] = s.cap_low, s.cap_high
    s["required_low"] = np.where(s.groups == 0, 0, np.floor(s.groups / s.cap_high + 0.5)).astype(int)
    s["required_high"] = np.where(s.groups == 0, 0, np.floor(s.groups / s.cap_low + 0.5)).astype(int)
    s["gap"] = np.where(s.current < s.required_low, "short", np.where(s.current > s.required_high, "surplus", "within"))
    s["gap_managers"] = np.where(s.current < s.required_low, s.current - s.required_low,
                                 np.where(s.current > s.required_high, s.current - s.required_high, 0))
    s["avg_members"] = s.avg_members.round(2)
    cols = ["branch_id", "branch_name", "class", "star_level", "groups", "avg_members", "capacity_low",
            "capacity_high", "required_low", "required_high", "current", "gap", "gap_managers"]
    return s[cols].sort_values(["branch_id", "class"]).reset_index(drop=True)


def model(d, p, settings) -> pd.DataFrame:
    from kam.planning.model_matrix import branch_recommendations, matrix_frame
    b = d["branches"][d["branches"].branch_id.isin(p["branches"])][["branch_id", "branch_name", "mgmt_model"]]
    gm, gfm = d["group_months"], d["group_fee_months"]
    end = gm[(gm.month_start == p["period_last_month"]) & gm.branch_id.isin(p["branches"])]
    base = end.groupby("branch_id").is_active.sum().rename("active_groups")
    f = gfm[(gfm.month_start >= p["period_start"]) & (gfm.month_start <= p["period_last_month"])].merge(
        gm[["group_id", "month_start", "branch_id"]], on=["group_id", "month_start"])
    f = f[f.branch_id.isin(p["branches"])]
    rev = f.groupby("branch_id").revenue.sum()
    lid = f[f.fee_item.isin(["line", "ict", "data"])].groupby("branch_id").revenue.sum()
    m = d["managers"][d["managers"].branch_id.isin(p["branches"])]
    now, ago = _employed(m, p["as_of"]), _employed(m, p["as_of"] - pd.DateOffset(months=12))
    left = (m.leave_date > p["as_of"] - pd.DateOffset(months=12)) & (m.leave_date <= p["as_of"])
    team = m.assign(now=now, ago=ago, left=left, out=(m.employment == "outsourced").astype(float)).groupby("branch_id")
    emp = team.now.sum()
    star = m[now].groupby("branch_id").star_level.mean()
    outs = m[now].assign(o=(m.employment == "outsourced").astype(float)).groupby("branch_id").o.mean()
    cur = gm[(gm.month_start >= p["period_last_month"] - pd.DateOffset(months=2))
             & (gm.month_start <= p["period_last_month"]) & gm.branch_id.isin(p["branches"])]
    prev = gm[["group_id", "month_start", "active_members"]].assign(month_start=gm.month_start + pd.DateOffset(months=1))
    cm = cur.merge(prev, on=["group_id", "month_start"], suffixes=("", "_prev")).groupby(
        ["branch_id", "month_start"]).agg(left=("members_left", "sum"), before=("active_members_prev", "sum"))
    churn = cm[cm.before > 0].assign(r=lambda x: x.left / x.before).groupby("branch_id").r.mean()
    out = b.set_index("branch_id")
    out["active_groups"] = base.reindex(out.index).fillna(0).astype(int)
    out["revenue"] = rev.reindex(out.index).fillna(0).round(2)
    out["line_ict_data_share"] = (lid.reindex(out.index).fillna(0) / out.revenue.replace(0, np.nan)).round(6)
    out["employed_managers"] = emp.reindex(out.index).fillna(0).astype(int)
    out["mean_star_level"] = star.reindex(out.index).round(6)
    out["outsourced_share"] = outs.reindex(out.index).round(6)
    out["manager_capability"] = (out.mean_star_level - out.outsourced_share).round(6)
    out["managers_12m_ago"] = team.ago.sum().reindex(out.index).fillna(0).astype(int)
    out["managers_left_12m"] = team.left.sum().reindex(out.index).fillna(0).astype(int)
    out["manager_turnover_rate"] = (out.managers_left_12m / out.managers_12m_ago.replace(0, np.nan)).round(6)
    out["member_churn_rate"] = churn.reindex(out.index).round(6)
    indicators = out.reset_index().sort_values("branch_id").reset_index(drop=True)
    mm = settings.model_matrix
    return branch_recommendations(indicators, matrix_frame(mm), mm)


def quality(d, p) -> pd.DataFrame:
    s = d["set_aside_rows"].groupby(["dataset", "file", "reason"], as_index=False).size().rename(columns={"size": "rows"})
    fm = d["file_manifest"]
    bad = fm[fm.status.isin(["failed", "unknown"])].copy()
    bad["reason"] = np.where(bad.status == "unknown", "unknown_file",
                             np.where(bad.error.fillna("").str.startswith("missing required column"),
                                      "missing_column", "unreadable_file"))
    bad = bad.assign(dataset=bad.dataset.fillna(""), rows=0)[["dataset", "file", "reason", "rows"]]
    return pd.concat([s, bad], ignore_index=True).sort_values(["dataset", "file", "reason"]).reset_index(drop=True)


REPORTS = {"overview": overview, "branches": branches, "classes": classes, "pareto": pareto, "sla": sla,
           "visits": visits, "funnel": funnel, "managers": managers, "staffing": staffing, "quality": quality,
           "model": model}


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
