"""Overview (经营总览): the period's KPIs against last period and last year, the revenue trend, alerts."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kam.app import charts, fmt, palette, ui
from kam.figures.reports import run_report

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.overview"))

kpis = run_report(c.wh, "overview", c.period, c.scope)
months = int(kpis.months_with_data.iloc[0]) if not kpis.empty else 0
st.caption(c.t("customers.overview.caption", period=c.period.label))
if months < c.period.months:
    st.warning(c.t("customers.incomplete_period", period=c.period.label, months=months, total=c.period.months))


def shown(value, kind: str) -> str:
    """A KPI value as people read it: money and counts compact (¥4,290万, 16.2万), rates in %."""
    return fmt.fmt_figure(value, kind, c.lang)


def change(value, kind: str) -> str | None:
    """Growth for counts and money, percentage points for rates; None when there is nothing to compare."""
    if fmt.is_missing(value):  # the earlier period is missing
        return None
    if kind == "rate":
        return c.t("customers.points", value=fmt.fmt_delta_points(value))
    return fmt.fmt_delta_pct(value)


# ---------------------------------------------------------------- KPI cards, with their targets where set
by_kpi = kpis.set_index("kpi")
targets = run_report(c.wh, "targets", c.period, c.scope)
# The cards add up the viewer's branches: the province's target fits them when they are every branch,
# a branch's when they are that branch alone; any other selection has no target (metrics.md: Targets).
if targets.branch_id.isna().any():
    targets = targets[targets.branch_id.isna()]
else:
    targets = targets[targets.branch_id.isin(c.scope.branches or ()) & (len(c.scope.branches or ()) == 1)]
targets = targets.set_index("kpi")


def target_note(kpi: str) -> str | None:
    """The card's target line: attainment and time progress for flows, on target or not for the rest."""
    if kpi not in targets.index:
        return None
    t = targets.loc[kpi]
    target = shown(t.target, t.kind)
    if pd.notna(t.ahead_of_time):
        state = c.t("targets.ahead" if t.ahead_of_time else "targets.behind")
        return c.t("targets.card_flow", target=target, attainment=fmt.fmt_pct(t.attainment),
                   progress=fmt.fmt_pct(t.time_progress), state=state)
    state = fmt.DASH if pd.isna(t.on_target) else c.t("targets.on" if t.on_target else "targets.off")
    return c.t("targets.card", target=target, state=state)

LOWER_IS_BETTER = {"member_churn_rate", "members_left", "churned_groups", "unassigned_groups"}
rows = [("groups", "members", "revenue", "arpu"),
        ("member_churn_rate", "sla_resolve_compliance", "visit_compliance", "star_fit_rate")]
for row in rows:
    for column, kpi in zip(st.columns(len(row)), row):
        k = by_kpi.loc[kpi]
        yoy = change(k.yoy_change, k.kind)
        ui.metric(c, column, c.t(f"metric.{kpi}.name"), shown(k.value, k.kind), k.mom_change,
                  delta_text=change(k.mom_change, k.kind), better="lower" if kpi in LOWER_IS_BETTER else "higher",
                  description=c.t("customers.mom"), help=c.t(f"metric.{kpi}.help"))
        column.caption(c.t("customers.yoy_is", value=yoy or fmt.DASH))
        if note := target_note(kpi):
            column.caption(note)
classes = " · ".join(f"{c.t(f'class.{k}')} {shown(by_kpi.loc[f'groups_{k.lower()}'].value, 'count')}"
                     for k in "ABC")
st.caption(c.t("customers.overview.by_class", classes=classes,
               churned=shown(by_kpi.loc["churned_groups"].value, "count"),
               left=shown(by_kpi.loc["members_left"].value, "count"),
               unassigned=shown(by_kpi.loc["unassigned_groups"].value, "count")))

# ---------------------------------------------------------------- where the revenue moved against the previous period
moves = c.query("pages/overview_revenue_change")
if moves.revenue_change.notna().any():
    st.subheader(c.t("customers.overview.revenue_change"))
    moves["label"] = [c.t(f"class.{k}") if d == "class" else n for d, k, n in
                      zip(moves.dimension, moves.key, moves.branch_name)]
    for column, dimension in zip(st.columns(2), ("class", "branch")):
        part = moves[moves.dimension == dimension].sort_values("revenue_change")
        fig = go.Figure(go.Bar(
            x=part.revenue_change.astype(float), y=part.label, orientation="h",
            customdata=part[["revenue", "revenue_previous"]].astype(float),
            marker_color=[palette.good_or_bad(v) for v in part.revenue_change.astype(float)],
            hovertemplate="%{y}<br>" + c.t("column.revenue_change") + ": ¥%{x:,.2f}<br>" + c.t("column.revenue")
                          + ": ¥%{customdata[0]:,.2f}<br>" + c.t("column.revenue_previous")
                          + ": ¥%{customdata[1]:,.2f}<extra></extra>"))
        fig.update_layout(height=120 + 24 * len(part), margin={"t": 30, "b": 10},
                          title=c.t(f"customers.overview.change_by_{dimension}"))
        ui.plot(c, fig, f"overview_change_{dimension}", where=column)
    with st.expander(c.t("customers.overview.change_table")):
        dimensions = {"class": c.t("column.class"), "branch": c.t("column.branch")}
        table = moves.assign(dimension=moves.dimension.map(dimensions), key=moves.label)
        ui.show_table(c, table.drop(columns=["label", "branch_name"]), "revenue_change", key="overview_revenue_change")

# ---------------------------------------------------------------- alerts, each linking to its detail
st.subheader(c.t("customers.alerts.title"))
alerts = c.query("pages/overview_alerts")
# the early warnings counted by kind, each opening its part of the 预警清单 (kam report warnings)
warned = run_report(c.wh, "warnings", c.period, c.scope)
warned = warned.amount.astype(float).groupby(warned.kind, sort=False).agg(["size", "sum"])
for kind, n, amount in warned.itertuples():
    ui.page_link(f"/warnings?kind={kind}", c.t("warnings.overview", kind=c.t(f"warnings.kind.{kind}"), n=int(n),
                                               amount=fmt.fmt_figure(float(amount), "money", c.lang)))
if alerts.empty and warned.empty:
    st.success(c.t("customers.alerts.none"))


for kind, rows_of_kind in alerts.groupby("alert", sort=False):
    # each alert says its rule (the target it checks) and opens the view that marks its rows
    first, n = rows_of_kind.iloc[0], len(rows_of_kind)
    if pd.isna(first.group_id):  # branch alerts: the KPI compared across branches, then one line per branch
        ui.page_link(first.alert_link, c.t(f"customers.alerts.{kind}_n", n=n, target=shown(first.threshold, "rate")))
        with st.expander(c.t("customers.alerts.list", n=n)):
            for r in rows_of_kind.itertuples():
                ui.page_link(r.link, c.t(f"customers.alerts.{kind}", branch=r.branch_name,
                                         value=shown(r.value, r.kind), threshold=shown(r.threshold, r.kind),
                                         kpi=c.t(f"metric.{r.kpi}.name") if isinstance(r.kpi, str) else ""))
        continue
    threshold = shown(first.threshold, "rate") if kind == "revenue_drop" else None
    ui.page_link(first.alert_link, c.t(f"customers.alerts.{kind}", n=n, threshold=threshold))
    table = ui.label_column(ui.label_column(rows_of_kind, "class", "class", c.lang), "suggested_class", "class",
                            c.lang)
    table = table[["profile", "group_name", "branch_name", "class", "suggested_class", "value", "threshold"]]
    if kind != "revenue_drop":
        table = table.drop(columns=["value", "threshold"])
    table = table.rename(columns={"value": "drop_share"})  # the figure the revenue-drop rule checks
    config = {c.t("column.drop_share"): st.column_config.NumberColumn(format="percent"),
              c.t("column.threshold"): st.column_config.NumberColumn(format="percent")}
    with st.expander(c.t("customers.alerts.list", n=len(table))):
        if kind == "revenue_drop":  # the groups of each branch, marked among the branch's groups
            by_branch = rows_of_kind.groupby(["link", "branch_name"], sort=False).size().sort_values(ascending=False)
            for (link, branch), count in by_branch.items():
                ui.page_link(link, c.t("customers.alerts.revenue_drop_branch", branch=branch, n=count))
        ui.drill_table(c, table, f"alerts_{kind}", "profile", column_config=config, key=f"overview_alerts_{kind}")

# ---------------------------------------------------------------- revenue trend by class
st.subheader(c.t("customers.overview.trend"))
trend = c.query("pages/overview_trend")
trend["month"] = charts.month_labels(trend.month_start, c.lang)  # months without data are left out
fig = go.Figure()
for cls in ("A", "B", "C"):
    part = trend[trend["class"] == cls]
    fig.add_trace(go.Bar(
        x=part.month, y=part.revenue.astype(float), name=c.t(f"class.{cls}"), customdata=part[["groups"]],
        marker_color=palette.CLASS[cls],
        hovertemplate="%{x} · " + c.t(f"class.{cls}") + "<br>" + c.t("column.revenue") + ": ¥%{y:,.2f}<br>"
                      + c.t("column.groups") + ": %{customdata[0]}<extra></extra>"))
fig.update_layout(barmode="stack", height=360, margin={"t": 20, "b": 10}, yaxis_title=c.t("column.revenue"),
                  xaxis=charts.month_axis(trend.month_start, c.lang), legend={"orientation": "h"})
ui.plot(c, fig, "overview_trend_chart")

# ---------------------------------------------------------------- the KPI table itself (kam report overview)
st.subheader(c.t("customers.overview.table"))
# One row per KPI of its own kind: each value reads as its kind (¥ to the fen, counts written out, rates in %),
# each change as growth or, for a rate, in percentage points.
table = kpis.drop(columns=["months_with_data"]).assign(kpi=kpis.kpi.map(lambda k: c.t(f"metric.{k}.name")),
                                                     kind=kpis.kind.map(lambda k: c.t(f"customers.kind.{k}")))
screen = pd.DataFrame({
    "kpi": table.kpi, "kind": table.kind,
    **{col: [fmt.fmt_kind(v, kind, c.lang) for v, kind in zip(kpis[source], kpis.kind)]
       for col, source in (("current_value", "value"), ("previous", "previous"), ("year_ago", "year_ago"))},
    **{col: [change(v, kind) for v, kind in zip(kpis[col], kpis.kind)] for col in ("mom_change", "yoy_change")}})
ui.show_table(c, table, "overview", key="overview_table", screen=screen, column_config={
    col: st.column_config.TextColumn(alignment="right")
    for col in ("current_value", "previous", "year_ago", "mom_change", "yoy_change")})

ui.definitions(c, "groups", "members", "revenue", "arpu", "member_churn_rate", "sla_resolve_compliance",
               "visit_compliance", "star_fit_rate", "churned_groups", "unassigned_groups", "period_rollup",
               "growth", "revenue_drop", "suggested_class", "target", "attainment", "time_progress", "target_alert")
