"""Overview (经营总览): the period's KPIs against last period and last year, the revenue trend, alerts."""
from urllib.parse import parse_qsl

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


# ---------------------------------------------------------------- KPI cards
by_kpi = kpis.set_index("kpi")
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
                open_link(r.link, c.t(f"customers.alerts.{kind}", branch=r.branch_name, value=shown(r.value, "rate"),
                                      threshold=shown(r.threshold, "rate")))
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
               "growth", "revenue_drop", "suggested_class")
