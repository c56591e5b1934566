"""拍照保有 (snapshot retention): how much of the snapshot month's base — its groups, members and revenue —
is kept, cut by branch, class, manager or county (branch → county → manager where counties are
exported), with ranks and the change on the month before, and existing (存量) against new (增量)
revenue month by month since the snapshot."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kam.app import fmt, ui

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.retention"))

RATES = ("group_retention", "member_retention", "revenue_retention")
KEPT = {"group_retention": ("retained_groups", "snapshot_groups"),
        "member_retention": ("retained_members", "snapshot_members"),
        "revenue_retention": ("revenue", "snapshot_revenue")}
MONEY = ("snapshot_revenue", "revenue", "existing_revenue", "new_revenue")

# ---------------------------------------------------------------- the snapshot month: from the settings, or picked
months = [m for m in c.wh.months() if m < c.period.last_month]
default = c.wh.snapshot_month(c.period)
options = sorted(set(months) | {default}, reverse=True)
snapshot = st.selectbox(c.t("retention.snapshot_month"), options, index=options.index(default),
                        format_func=lambda m: m.strftime("%Y-%m"), key="retention_snapshot",
                        help=c.t("retention.snapshot_help", default=default.strftime("%Y-%m")))
if snapshot not in months:
    st.warning(c.t("retention.no_snapshot_data", month=snapshot.strftime("%Y-%m")))
    st.stop()
cuts = c.query("pages/retention_cuts", {"snapshot_month": snapshot})
total = cuts[cuts.dimension == "total"]
if total.empty or not total.snapshot_groups.iloc[0]:
    st.info(c.t("retention.empty", month=snapshot.strftime("%Y-%m")))
    st.stop()
total = total.iloc[0]
st.caption(c.t("retention.caption", snapshot=snapshot.strftime("%Y-%m"),
               month=pd.Timestamp(total.month).strftime("%Y-%m"), period=c.period.label))


def amount(value, money: bool) -> str:
    return fmt.fmt_figure(value, "money" if money else "count", c.lang)


# ---------------------------------------------------------------- the base as a whole
cards = st.columns(5)
for column, rate in zip(cards, RATES):
    kept, base = KEPT[rate]
    mom = total[f"{rate}_mom"]
    ui.metric(c, column, c.t(f"metric.{rate}.name"), fmt.fmt_pct(total[rate]), None if pd.isna(mom) else float(mom),
              delta_text=None if pd.isna(mom) else c.t("customers.points", value=fmt.fmt_delta_points(mom)),
              description=c.t("customers.mom"), help=c.t(f"metric.{rate}.help"))
    money = rate == "revenue_retention"
    column.caption(c.t("retention.of", kept=amount(total[kept], money), base=amount(total[base], money)))
for column, key in zip(cards[3:], ("existing_revenue", "new_revenue")):
    ui.metric(c, column, c.t(f"metric.{key}.name"), fmt.fmt_figure(total[key], "money", c.lang),
              help=c.t(f"metric.{key}.help"))

# ---------------------------------------------------------------- by branch, class, manager or county
counties = c.query("meta/counties")
dimensions = ["branch", "class", "manager"] + (["county"] if not counties.empty else [])
dimension = st.radio(c.t("retention.cut"), dimensions, format_func=lambda d: c.t(f"retention.by.{d}"),
                     horizontal=True, key="retention_cut")
rows = cuts[cuts.dimension == dimension].copy()
if dimension in ("manager", "county"):
    # the drill: a branch, then (where exported) one of its counties, then its managers
    branches = c.query("meta/branches")
    names = dict(zip(branches.branch_id, branches.branch_name))
    left, right = st.columns(2)
    branch = left.selectbox(c.t("column.branch_id"), [None, *names], key="retention_branch",
                            format_func=lambda b: c.t("app.all_branches") if b is None else names[b])
    if branch:
        rows = rows[rows.branch_id == branch]
    if branch and dimension == "manager" and not counties.empty:
        own = counties[counties.branch_id == branch].county.tolist()
        county = right.selectbox(c.t("column.county"), [None, *own], key="retention_county",
                                 format_func=lambda k: c.t("retention.all_counties") if k is None else k)
        if county:
            rows = rows[rows.manager_county == county]
labels = {"branch": lambda r: r.branch_name, "class": lambda r: c.t(f"class.{r.key}"),
          "manager": lambda r: r.manager_name if isinstance(r.key, str) else c.t("retention.no_manager"),
          "county": lambda r: r.key if isinstance(r.key, str) else c.t("retention.no_county")}
rows.insert(0, "cut", [labels[dimension](r) for r in rows.itertuples()])
shown = rows[rows.snapshot_groups > 0].sort_values("revenue_retention", ascending=True)
fig = go.Figure([go.Bar(x=shown[rate].astype(float), y=shown.cut, orientation="h", name=c.t(f"metric.{rate}.name"),
                        hovertemplate="%{y}<br>" + c.t(f"metric.{rate}.name") + ": %{x:.1%}<extra></extra>")
                 for rate in RATES])
fig.update_layout(barmode="group", height=140 + 60 * len(shown), margin={"t": 20, "b": 10}, xaxis_tickformat=".0%")
ui.plot(c, fig, "retention_cut_chart")
table = rows.drop(columns=["dimension", "key", "snapshot_month", "month", "manager_name", "branch_name",
                           "manager_county"])
ui.show_table(c, table, f"retention_{dimension}", key="retention_table", column_config=ui.column_formats(
    table, rates=RATES + tuple(f"{r}_mom" for r in RATES), money=MONEY))

# ---------------------------------------------------------------- existing against new revenue since the snapshot
st.subheader(c.t("retention.trend"))
trend = c.query("pages/retention_trend", {"snapshot_month": snapshot})
trend["label"] = pd.to_datetime(trend.month_start).dt.strftime("%Y-%m")
fig = go.Figure([go.Bar(x=trend.label, y=trend[k].astype(float), name=c.t(f"metric.{k}.name"),
                        hovertemplate="%{x}<br>" + c.t(f"metric.{k}.name") + ": ¥%{y:,.2f}<extra></extra>")
                 for k in ("existing_revenue", "new_revenue")])
fig.update_layout(barmode="stack", height=340, margin={"t": 20, "b": 10}, xaxis={"type": "category"})
ui.plot(c, fig, "retention_trend_chart")

ui.definitions(c, "snapshot_month", *RATES, "existing_revenue", "new_revenue")
