"""queries/reports in pandas: one function per `kam report` table, returning the same columns, rows and order."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from kam.tooling.bench_pandas.shared import customer_months, period_kpis, ticket_sla, visit_compliance_periods


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
    gm = d["group_months"]
    billed = gm[(gm.month_start >= p["period_start"]) & (gm.month_start <= p["period_end"])
                & gm.branch_id.isin(p["branches"]) & ~gm.group_id.isin(g.group_id)]
    inactive = round(billed.revenue.sum(), 2)
    return pd.DataFrame([{
        "groups": n, "top_groups": int(top.sum()), "revenue": round(total + inactive, 2),
        "active_revenue": round(total, 2), "inactive_revenue": inactive,
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
    s["short_managers"] = np.where(s.current < s.required_low, s.required_low - s.current, 0)
    s["surplus_managers"] = np.where(s.current > s.required_high, s.current - s.required_high, 0)
    s["avg_members"] = s.avg_members.round(2)
    cols = ["branch_id", "branch_name", "class", "star_level", "groups", "avg_members", "capacity_low",
            "capacity_high", "required_low", "required_high", "current", "gap", "short_managers", "surplus_managers"]
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
                             np.where(bad.error_code.fillna("").eq("missing_column"),
                                      "missing_column", "unreadable_file"))
    bad = bad.assign(dataset=bad.dataset.fillna(""), rows=0)[["dataset", "file", "reason", "rows"]]
    return pd.concat([s, bad], ignore_index=True).sort_values(["dataset", "file", "reason"]).reset_index(drop=True)


REPORTS = {"overview": overview, "branches": branches, "classes": classes, "pareto": pareto, "sla": sla,
           "visits": visits, "funnel": funnel, "managers": managers, "staffing": staffing, "quality": quality,
           "model": model}
