"""Group profile (集团视图): one group's revenue by fee item, members and churn, managers, visits, orders, complaints."""
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from kam.app import charts, palette, ui
from kam.app.fmt import fmt_count, fmt_yuan

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.group_profile"))

# ---------------------------------------------------------------- which group: ?group=…, a list's link, or a search
group_id = st.query_params.get("group") or st.session_state.get("group_profile_group_id")
search = st.text_input(c.t("customers.profile.search"), key="group_profile_search",
                       placeholder=c.t("customers.profile.search_help"))
if search:
    found = c.query("pages/group_profile_search", {"search": search})
    if found.empty:
        st.info(c.t("common.no_rows"))
    else:
        labels = dict(zip(found.group_id, found.group_id + " · " + found.group_name))
        picked = st.selectbox(c.t("customers.profile.pick"), list(labels), format_func=labels.get,
                              key="group_profile_pick")
        if picked != group_id:
            group_id = picked
            st.session_state["group_profile_group_id"] = picked
            st.query_params["group"] = picked
if not group_id:
    st.info(c.t("customers.profile.choose"))
    st.stop()
# The group shown is the URL's (a copied link opens it) and the session's (the menu comes back to it).
st.session_state["group_profile_group_id"] = group_id
if st.query_params.get("group") != group_id:
    st.query_params["group"] = group_id

params = {"group_id": group_id}
header = c.query("pages/group_profile_header", params)
if header.empty:  # unknown, or outside the viewer's scope: the same answer, so nothing leaks
    st.warning(c.t("customers.profile.not_found", group=ui.plain(group_id)))
    st.stop()
g = header.iloc[0]
money = {k: float(g[k]) if pd.notna(g[k]) else None for k in ("revenue", "avg_revenue_3m", "members")}

st.subheader(f"{ui.plain(g.group_name)} · {ui.plain(g.group_id)}")
status = c.t("customers.profile.active") if g.is_active else c.t("customers.profile.closed",
                                                                  date=str(g.close_date)[:10])
facts = [ui.plain(g.branch_name), *(c.t("customers.profile.fact", name=c.t(f"column.{k}"), value=ui.plain(v)) for k, v in (
    ("industry", g.industry), ("sector", c.t(f"sector.{g.sector}") if pd.notna(g.sector) else None)) if pd.notna(v)),
    status]
st.caption(" · ".join(facts))
assigned = pd.notna(g.manager_id)
m1, m2, m3, m4 = st.columns(4)
ui.metric(c, m1, c.t("column.class"), c.t(f"class.{g['class']}"),
          help=c.t("customers.profile.suggested", avg=fmt_yuan(money["avg_revenue_3m"], c.lang),
                   cls=c.t(f"class.{g.suggested_class}") if pd.notna(g.suggested_class) else "—"))
ui.metric(c, m2, c.t("column.manager_name"), g.manager_name if assigned else c.t("common.unassigned"),
          note=c.t(f"star.{int(g.star_level)}") if assigned else None,
          help=c.t("customers.profile.misfit", needed=c.t(f"star.{int(g.star_needed)}"))
          if assigned and not g.star_fits else None)
ui.metric(c, m3, c.t("column.members"), fmt_count(money["members"], c.lang))
ui.metric(c, m4, c.t("column.revenue"), fmt_yuan(money["revenue"], c.lang),
          help=c.t("customers.profile.revenue_in", period=c.period.label))

MONEY = ("revenue", "monthly_value")


def formats(frame) -> dict:
    return ui.column_formats(frame, rates=("member_churn_rate",), money=MONEY, months=("month_start",))


def table(frame: pd.DataFrame, name: str, **codes: str) -> None:
    for col, prefix in codes.items():
        frame = ui.label_column(frame, col, prefix, c.lang)
    if "manager_profile" in frame:  # each manager's row opens their profile
        ui.drill_table(c, frame, f"{group_id}_{name}", "manager_profile", column_config=formats(frame),
                       key=f"group_profile_{name}")
    else:
        ui.show_table(c, frame, f"{group_id}_{name}", column_config=formats(frame), key=f"group_profile_{name}")


revenue_tab, members_tab, managers_tab, visits_tab, orders_tab, complaints_tab = st.tabs(
    [c.t(f"customers.profile.tab.{n}") for n in ("revenue", "members", "managers", "visits", "orders", "complaints")])

# ---------------------------------------------------------------- revenue by fee item over time
with revenue_tab:
    fees = c.query("pages/group_profile_fees", params)
    fees["month"] = charts.month_labels(fees.month_start, c.lang)
    shown = ui.label_column(fees, "fee_item", "fee_item", c.lang).astype({"revenue": float})
    fig = px.bar(shown, x="month", y="revenue", color="fee_item",
                 color_discrete_map={c.t(f"fee_item.{k}"): v for k, v in palette.FEE_ITEM.items()},
                 labels={"month": "", "revenue": c.t("column.revenue"), "fee_item": c.t("column.fee_item")})
    fig.update_traces(hovertemplate="%{x} · %{fullData.name}<br>" + c.t("column.revenue") + ": ¥%{y:,.2f}"
                                    "<extra></extra>")
    fig.update_layout(height=340, margin={"t": 20, "b": 10}, xaxis=charts.month_axis(fees.month_start, c.lang),
                      legend={"orientation": "h"})
    ui.plot(c, fig, "group_profile_fee_chart")
    table(fees.drop(columns=["month"]), "revenue", fee_item="fee_item")

# ---------------------------------------------------------------- members and their churn
with members_tab:
    months = c.query("pages/group_profile_months", params)
    months["month"] = charts.month_labels(months.month_start, c.lang)
    fig = go.Figure([
        go.Scatter(x=months.month, y=months.members, name=c.t("column.members"), mode="lines+markers",
                   line_color=palette.SERIES[0], marker_color=palette.SERIES[0],
                   hovertemplate="%{x}<br>" + c.t("column.members") + ": %{y:,}<extra></extra>"),
        go.Bar(x=months.month, y=months.members_left, name=c.t("column.members_left"), yaxis="y2",
               marker_color=palette.SERIES[3],
               customdata=months[["member_churn_rate"]],
               hovertemplate="%{x}<br>" + c.t("column.members_left") + ": %{y:,}<br>"
                             + c.t("column.member_churn_rate") + ": %{customdata[0]:.2%}<extra></extra>")])
    fig.update_layout(height=320, margin={"t": 20, "b": 10}, xaxis=charts.month_axis(months.month_start, c.lang),
                      legend={"orientation": "h"}, yaxis={"title": c.t("column.members"), "rangemode": "tozero"},
                      yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero",
                              "title": c.t("column.members_left")})
    ui.plot(c, fig, "group_profile_members_chart")
    table(months.drop(columns=["month"]), "months", suggested_class="class")
    members = c.query("pages/group_profile_members", params)
    st.markdown(f"**{c.t('customers.profile.member_list', n=len(members))}**")
    table(members, "members", vip_tier="vip_tier", member_status="customers.profile.member_status")

with managers_tab:
    table(c.query("pages/group_profile_managers", params), "managers", employment="employment",
          source="customers.profile.source")
with visits_tab:
    table(c.query("pages/group_profile_visits", params), "visits", kind="kind", theme="theme")
with orders_tab:
    table(c.query("pages/group_profile_orders", params), "orders", product="fee_item", stage="stage")
with complaints_tab:
    complaints = c.query("pages/group_profile_complaints", params)
    if not complaints.empty:
        st.caption(c.t("customers.profile.sla_summary", n=len(complaints),
                       breached=int(complaints.resolve_breached.sum()), open=int(complaints.is_open.sum())))
    table(complaints, "complaints", category="category", severity="severity", channel="channel")

ui.definitions(c, "revenue", "members", "member_churn_rate", "suggested_class", "star_fit_rate",
               "sla_resolve_compliance", "manager_in_month")
