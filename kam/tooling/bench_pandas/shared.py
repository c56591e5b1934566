"""queries/shared in pandas: the definitions several reports start from (ticket clocks, customer months,
visit compliance, the KPIs of a period)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from kam.tooling.bench_pandas.marts import month_of


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
    c["month_start"] = month_of(c.created_at)
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
    t = t.assign(month_start=month_of(t.created_at), ok=(~t.resolve_breached).astype(int))
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
