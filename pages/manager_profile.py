"""Manager profile (客户经理画像): one manager's KPIs and trend, book, visit calendar, open complaints, orders.

Opened with `?manager=M0001` or `st.session_state["manager_profile_manager_id"]` (docs/architecture.md).
"""
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kam.app import charts, palette, ui
from kam.app.fmt import fmt_decimal, fmt_pct, fmt_yuan
from kam.figures.reports import run_report

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.manager_profile"))

people = c.query("pages/manager_profile_managers")
if people.empty:
    st.info(c.t("common.no_rows"))
    st.stop()
names = dict(zip(people.manager_id, people.manager_name))

# ---------------------------------------------------------------- which manager: link, hand-over or picker
# The URL's ?manager= is the one source: a link or a hand-over sets it, the picker rewrites it on change.
handed_over = st.session_state.pop("manager_profile_manager_id", None)
if handed_over in names:
    st.query_params["manager"] = handed_over
if st.query_params.get("manager") in names:
    st.session_state["manager_profile_pick"] = st.query_params["manager"]
manager = st.selectbox(c.t("managers.profile.pick"), list(names), format_func=lambda m: f"{m} · {names[m]}",
                       key="manager_profile_pick",
                       on_change=lambda: st.query_params.update(manager=st.session_state["manager_profile_pick"]))
st.query_params["manager"] = manager
person = people.set_index("manager_id").loc[manager]
params = {"manager_id": manager}

facts = [c.t(f"star.{person.star_level}"), ui.plain(ui.branch_names(c).get(person.branch_id, person.branch_id)),
         c.t(f"employment.{person.employment}") if isinstance(person.employment, str) else None,
         c.t("managers.profile.hired", day=f"{person.hire_date:%Y-%m-%d}") if pd.notna(person.hire_date) else None,
         c.t("managers.profile.left", day=f"{person.leave_date:%Y-%m-%d}") if pd.notna(person.leave_date) else None]
st.markdown(f"### {ui.plain(person.manager_name)} · " + " · ".join(f for f in facts if f))

# ---------------------------------------------------------------- KPIs: the manager's row of the managers report
row = run_report(c.wh, "managers", c.period, c.scope).set_index("manager_id")
if manager in row.index:
    r = row.loc[manager]
    k = st.columns(3) + st.columns(3)  # two rows: six cards in one row cut "¥16.1万" and the rank off
    ui.metric(c, k[0], c.t("column.score"), fmt_decimal(r.score),
              note=c.t("managers.profile.rank_of", rank=r["rank"], n=r.managers_in_star))
    ui.metric(c, k[1], c.t("column.groups"), int(r.groups), note=c.t(f"managers.workload.{r.workload}"))
    ui.metric(c, k[2], c.t("column.revenue"), fmt_yuan(r.revenue, c.lang), r.revenue_growth)
    ui.metric(c, k[3], c.t("column.member_churn_rate"), fmt_pct(r.member_churn_rate))
    ui.metric(c, k[4], c.t("column.visit_compliance"), fmt_pct(r.visit_compliance))
    ui.metric(c, k[5], c.t("column.sla_resolve_compliance"), fmt_pct(r.sla_resolve_compliance))
else:
    st.info(c.t("managers.profile.no_book", period=c.period.label))

trend_tab, book_tab, calendar_tab, complaints_tab, orders_tab = st.tabs(
    [c.t("managers.profile.tab_trend"), c.t("managers.profile.tab_book"), c.t("managers.profile.tab_calendar"),
     c.t("managers.profile.tab_complaints"), c.t("managers.profile.tab_orders")])

# ---------------------------------------------------------------- KPI trend, twelve months
with trend_tab:
    trend = c.query("pages/manager_profile_trend", params)
    months = charts.month_labels(trend.month_start, c.lang)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        specs=[[{"secondary_y": True}], [{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=months, y=trend.revenue.astype(float), name=c.t("column.revenue"),
                         marker_color=palette.SERIES[0],
                         hovertemplate="%{x}<br>" + c.t("column.revenue") + ": ¥%{y:,.2f}<extra></extra>"), 1, 1)
    fig.add_trace(go.Scatter(x=months, y=trend.members, name=c.t("column.members"), mode="lines+markers",
                             line_color=palette.SERIES[3], marker_color=palette.SERIES[3],
                             hovertemplate="%{x}<br>" + c.t("column.members") + ": %{y:,}<extra></extra>"),
                  1, 1, secondary_y=True)
    for col, colour in (("visits", palette.SERIES[1]), ("orders_activated", palette.SERIES[2]),
                        ("groups", palette.SERIES[5])):
        fig.add_trace(go.Scatter(x=months, y=trend[col], name=c.t(f"column.{col}"), mode="lines+markers",
                                 line_color=colour, marker_color=colour,
                                 hovertemplate="%{x}<br>" + c.t(f"column.{col}") + ": %{y}<extra></extra>"), 2, 1)
    fig.add_trace(go.Scatter(x=months, y=trend.visit_compliance.astype(float),
                             customdata=trend[["compliant_groups", "groups"]], name=c.t("column.visit_compliance"),
                             mode="lines+markers", line={"dash": "dot", "color": palette.REFERENCE},
                             marker_color=palette.REFERENCE,
                             hovertemplate="%{x}<br>" + c.t("column.visit_compliance") + ": %{y:.2%} "
                                           "(%{customdata[0]} / %{customdata[1]})<extra></extra>"),
                  2, 1, secondary_y=True)
    # Each axis says what it counts: two measures share each row, one on either side.
    fig.update_yaxes(title_text=c.t("column.revenue"), rangemode="tozero", row=1, col=1, secondary_y=False)
    fig.update_yaxes(title_text=c.t("column.members"), rangemode="tozero", row=1, col=1, secondary_y=True)
    fig.update_yaxes(title_text=c.t("managers.profile.axis_counts"), rangemode="tozero", row=2, col=1,
                     secondary_y=False)
    fig.update_yaxes(title_text=c.t("column.visit_compliance"), tickformat=".0%", range=[0, 1.05], row=2, col=1,
                     secondary_y=True)
    fig.update_xaxes(**charts.month_axis(trend.month_start, c.lang))
    fig.update_layout(height=520, margin={"t": 20, "b": 10}, legend={"orientation": "h"})
    ui.plot(c, fig, "manager_profile_trend_chart")
    ui.show_table(c, trend.drop(columns=["month_start"]), f"manager_{manager}_trend", key="manager_profile_trend")

# ---------------------------------------------------------------- the book
with book_tab:
    book = ui.label_column(c.query("pages/manager_profile_book", params), "class", "class", c.lang)
    book = book[["group_link", *[k for k in book.columns if k not in ("group_link", "group_id")]]]
    ui.drill_table(c, book, f"manager_{manager}_book", "group_link", key="manager_profile_book",
                   column_config={c.t("column.revenue"): st.column_config.NumberColumn(format="¥%,.2f")})

# ---------------------------------------------------------------- visit calendar: weeks × weekdays
with calendar_tab:
    days = c.query("pages/manager_profile_calendar", params)
    weekdays = [c.t(f"managers.weekday.{d}") for d in range(1, 8)]

    def grid(column):
        """One value per weekday (rows) × week (columns); days outside the period stay empty."""
        return days.pivot(index="weekday", columns="week_start", values=column).reindex(range(1, 8))

    days = days.assign(day=days.day.astype(str), group_names=days.group_names.fillna(""))
    weeks = grid("visits")
    # Weeks are categories labelled by their first day: as text like "09-28" Plotly would read them as
    # dates and draw every column at one instant of 2010.
    fig = go.Figure(go.Heatmap(
        x=[charts.day_label(w, c.lang) for w in weeks.columns], y=weekdays, z=weeks.values,
        customdata=np.dstack([grid("day").fillna("").values, grid("counted_visits").values,
                              grid("care_visits").values, grid("group_names").fillna("").values]),
        colorscale=palette.SEQUENTIAL_GOOD, xgap=2, ygap=2, hoverongaps=False, zmin=0,
        colorbar={"dtick": 1} if days.visits.max() <= 8 else None,  # visits come whole: no 0.5 on the scale
        hovertemplate="%{customdata[0]}<br>" + c.t("managers.profile.visits_that_day") + ": %{z}<br>"
                      + c.t("column.counted_visits") + ": %{customdata[1]}<br>" + c.t("column.care_visits")
                      + ": %{customdata[2]}<br>%{customdata[3]}<extra></extra>"))
    fig.update_layout(height=300, margin={"t": 20, "b": 10}, xaxis={"title": c.t("column.week_start"),
                                                                     "type": "category"},
                      yaxis={"autorange": "reversed", "type": "category"})
    ui.plot(c, fig, "manager_profile_calendar_chart")
    visits = ui.label_column(ui.label_column(c.query("pages/manager_profile_visits", params), "kind", "kind", c.lang),
                             "theme", "theme", c.lang)
    ui.show_table(c, ui.label_column(visits, "class", "class", c.lang), f"manager_{manager}_visits",
                  key="manager_profile_visits")

# ---------------------------------------------------------------- open complaints at the as-of time
with complaints_tab:
    tickets = c.query("pages/manager_profile_complaints", params)
    for column, area in (("class", "class"), ("category", "category"), ("severity", "severity"),
                         ("channel", "channel")):
        tickets = ui.label_column(tickets, column, area, c.lang)
    ui.show_table(c, tickets, f"manager_{manager}_complaints", key="manager_profile_complaints")

# ---------------------------------------------------------------- orders in flight
with orders_tab:
    stuck_days = st.number_input(c.t("managers.orders.stuck_days"), min_value=1, step=1,
                                 value=int(c.wh.settings.orders.stuck_days), key="manager_profile_stuck_days")
    orders = c.query("pages/manager_profile_orders", params | {"stuck_days": stuck_days})
    orders = ui.label_column(ui.label_column(orders, "stage", "stage", c.lang), "product", "fee_item", c.lang)
    ui.show_table(c, orders, f"manager_{manager}_orders", key="manager_profile_orders")

ui.definitions(c, "score", "percentile_rank", "manager_book", "manager_revenue_growth", "manager_member_churn",
               "visit_compliance", "sla_resolve_compliance", "workload", "stuck_order")
