"""Overview (经营总览): the period's KPIs against last period and last year, the revenue trend, alerts."""
from urllib.parse import parse_qsl

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kam.app import ui
from kam.app.fmt import fmt_delta_pct, fmt_number, fmt_pct, fmt_yuan
from kam.figures.reports import run_report

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.overview"))

kpis = run_report(c.wh, "overview", c.period, c.scope)
months = int(kpis.months_with_data.iloc[0]) if not kpis.empty else 0
st.caption(c.t("customers.overview.caption", period=c.period.label))
if months < c.period.months:
    st.warning(c.t("customers.incomplete_period", period=c.period.label, months=months, total=c.period.months))


def plain(value) -> float | None:
    """A NumPy or pandas number as a Python float (None when missing), as kam.app.fmt expects."""
    return None if value is None or pd.isna(value) else float(value)


def shown(value, kind: str) -> str:
    """A KPI value as people read it: money compact in yuan, rates in %, counts whole."""
    value = plain(value)
    if kind == "money":
        return fmt_yuan(value, c.lang)
    return fmt_pct(value) if kind == "rate" else fmt_number(value, c.lang, decimals=0)


def change(value, kind: str) -> str | None:
    """Growth for counts and money, percentage points for rates; None when there is nothing to compare."""
    value = plain(value)
    if value is None:  # the earlier period is missing
        return None
    if kind == "rate":
        points = f"{value * 100:+.1f}"
        return c.t("customers.points", value="0.0" if points in ("+0.0", "-0.0") else points)
    return fmt_delta_pct(value).replace("\u2212", "-")  # st.metric reads a leading "-" as a fall


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
        return c.t("targets.card_flow", target=target, attainment=fmt_pct(plain(t.attainment)),
                   progress=fmt_pct(plain(t.time_progress)), state=state)
    state = "—" if pd.isna(t.on_target) else c.t("targets.on" if t.on_target else "targets.off")
    return c.t("targets.card", target=target, state=state)


LOWER_IS_BETTER = {"member_churn_rate", "members_left", "churned_groups", "unassigned_groups"}
rows = [("groups", "members", "revenue", "arpu"),
        ("member_churn_rate", "sla_resolve_compliance", "visit_compliance", "star_fit_rate")]
for row in rows:
    for column, kpi in zip(st.columns(len(row)), row):
        k = by_kpi.loc[kpi]
        yoy = change(k.yoy_change, k.kind)
        column.metric(c.t(f"metric.{kpi}.name"), shown(k.value, k.kind),
                      delta=change(k.mom_change, k.kind), border=True,
                      delta_color="inverse" if kpi in LOWER_IS_BETTER else "normal",
                      delta_description=c.t("customers.mom"), help=c.t(f"metric.{kpi}.help"))
        column.caption(c.t("customers.yoy_is", value=yoy or "—"))
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
            marker_color=["#d62728" if v < 0 else "#2ca02c" for v in part.revenue_change.astype(float)],
            hovertemplate="%{y}<br>" + c.t("column.revenue_change") + ": ¥%{x:,.2f}<br>" + c.t("column.revenue")
                          + ": ¥%{customdata[0]:,.2f}<br>" + c.t("column.revenue_previous")
                          + ": ¥%{customdata[1]:,.2f}<extra></extra>"))
        fig.update_layout(height=120 + 24 * len(part), margin={"t": 30, "b": 10},
                          title=c.t(f"customers.overview.change_by_{dimension}"))
        ui.plot(c, fig, f"overview_change_{dimension}", where=column)
    with st.expander(c.t("customers.overview.change_table")):
        ui.show_table(c, moves.drop(columns=["label"]), "revenue_change", key="overview_revenue_change",
                      column_config={c.t(f"column.{col}"): st.column_config.NumberColumn(format="¥%,.2f")
                                     for col in ("revenue", "revenue_previous", "revenue_change")})

# ---------------------------------------------------------------- alerts, each linking to its detail
st.subheader(c.t("customers.alerts.title"))
alerts = c.query("pages/overview_alerts")
if alerts.empty:
    st.success(c.t("customers.alerts.none"))


def open_link(link: str, label: str) -> None:
    path, _, query = link.partition("?")
    st.page_link(f"pages{path}.py", label=label, query_params=dict(parse_qsl(query)),
                 icon=":material/arrow_forward:")


for kind, rows_of_kind in alerts.groupby("alert", sort=False):
    first = rows_of_kind.iloc[0]
    if pd.isna(first.group_id):  # branch alerts: the KPI compared across branches, then one line per branch
        kpi = dict(parse_qsl(first.link.partition("?")[2]))["kpi"]
        open_link(f"/branches?kpi={kpi}", c.t(f"customers.alerts.{kind}_n", n=len(rows_of_kind)))
        with st.expander(c.t("customers.alerts.list", n=len(rows_of_kind))):
            for r in rows_of_kind.itertuples():
                open_link(r.link, c.t(f"customers.alerts.{kind}", branch=r.branch_name, value=shown(r.value, r.kind),
                                      threshold=shown(r.threshold, r.kind),
                                      kpi=c.t(f"metric.{r.kpi}.name") if isinstance(r.kpi, str) else ""))
        continue
    title = c.t(f"customers.alerts.{kind}", n=len(rows_of_kind))
    if first.link.startswith("/group_profile"):
        st.markdown(f"**{title}**")
    else:
        open_link(first.link, title)
    table = ui.label_column(ui.label_column(rows_of_kind, "class", "class", c.lang), "suggested_class", "class",
                            c.lang)
    table = table[["profile", "group_name", "branch_name", "class", "suggested_class", "value", "threshold"]]
    if kind != "revenue_drop":
        table = table.drop(columns=["value", "threshold"])
    config = {c.t("column.profile"): st.column_config.LinkColumn(display_text=r"group=(.+)$"),
              c.t("column.value"): st.column_config.NumberColumn(format="percent"),
              c.t("column.threshold"): st.column_config.NumberColumn(format="percent")}
    with st.expander(c.t("customers.alerts.list", n=len(table))):
        ui.show_table(c, table, f"alerts_{kind}", column_config=config, key=f"overview_alerts_{kind}")

# ---------------------------------------------------------------- revenue trend by class
st.subheader(c.t("customers.overview.trend"))
trend = c.query("pages/overview_trend")
trend["month"] = pd.to_datetime(trend.month_start).dt.strftime("%Y-%m")  # months without data are left out
fig = go.Figure()
for cls in ("A", "B", "C"):
    part = trend[trend["class"] == cls]
    fig.add_trace(go.Bar(
        x=part.month, y=part.revenue.astype(float), name=c.t(f"class.{cls}"), customdata=part[["groups"]],
        hovertemplate="%{x} · " + c.t(f"class.{cls}") + "<br>" + c.t("column.revenue") + ": ¥%{y:,.2f}<br>"
                      + c.t("column.groups") + ": %{customdata[0]}<extra></extra>"))
fig.update_layout(barmode="stack", height=360, margin={"t": 20, "b": 10}, yaxis_title=c.t("column.revenue"),
                  xaxis={"type": "category"}, legend={"orientation": "h"})
ui.plot(c, fig, "overview_trend_chart")

# ---------------------------------------------------------------- the KPI table itself (kam report overview)
st.subheader(c.t("customers.overview.table"))
table = kpis.drop(columns=["months_with_data"])
table["kpi"] = table.kpi.map(lambda k: c.t(f"metric.{k}.name"))
table["kind"] = table.kind.map(lambda k: c.t(f"customers.kind.{k}"))
ui.show_table(c, table, "overview", key="overview_table", column_config={
    c.t(f"column.{col}"): st.column_config.NumberColumn(format="%.4f") for col in ("mom_change", "yoy_change")})

ui.definitions(c, "groups", "members", "revenue", "arpu", "member_churn_rate", "sla_resolve_compliance",
               "visit_compliance", "star_fit_rate", "churned_groups", "unassigned_groups", "period_rollup",
               "growth", "revenue_drop", "suggested_class", "target", "attainment", "time_progress", "target_alert")
