"""Orders (业务工单, the green channel): the funnel 走访 → 业务办理 → 合同签订 → 工程实施 → 业务开通, cycle
times by product and by manager, and the orders stuck in a stage."""
import plotly.graph_objects as go
import streamlit as st

from kam.app import palette, ui
from kam.app.fmt import fmt_number, fmt_pct
from kam.figures.reports import run_report

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.orders"))
st.caption(c.t("managers.orders.caption", period=c.period.label))

STEPS = ("visited_handled", "handled_contracted", "contracted_built", "built_activated", "visited_activated")


def formats(frame):
    """Rates as percentages, money in yuan."""
    return ui.column_formats(frame, rates=[col for col in frame.columns if col.startswith("conversion")],
                             money=("monthly_value",))


def step_colour(step):
    """A step has the colour of the stage it reaches; the whole way, visit to activation, is the reference."""
    start, end = step.split("_")
    return palette.REFERENCE if start == "visited" and end == "activated" else palette.ORDER_STAGE[end]


def step_label(step):
    start, end = step.split("_")
    return f"{c.t(f'stage.{start}')} → {c.t(f'stage.{end}')}"


def days(values):
    return values.map(lambda v: fmt_number(v, c.lang, decimals=2))


def cycle_chart(frame, names, key):
    """Median days of each step per product / manager, the 90th percentile on hover."""
    fig = go.Figure()
    for step in STEPS:
        fig.add_trace(go.Bar(
            x=names, y=frame[f"median_days_{step}"], name=step_label(step), marker_color=step_colour(step),
            customdata=list(zip(days(frame[f"median_days_{step}"]), days(frame[f"p90_days_{step}"]))),
            hovertemplate="%{x} · " + step_label(step) + "<br>" + c.t("managers.orders.median") + ": %{customdata[0]} "
                          + c.t("managers.orders.days") + "<br>" + c.t("managers.orders.p90") + ": %{customdata[1]} "
                          + c.t("managers.orders.days") + "<extra></extra>"))
    fig.update_layout(height=360, margin={"t": 20, "b": 10}, barmode="group", legend={"orientation": "h"},
                      yaxis_title=c.t("managers.orders.days"))
    ui.plot(c, fig, key)


funnel_tab, product_tab, manager_tab, stuck_tab = st.tabs(
    [c.t("managers.orders.tab_funnel"), c.t("managers.orders.tab_product"), c.t("managers.orders.tab_manager"),
     c.t("managers.orders.tab_stuck")])

# ---------------------------------------------------------------- the funnel (the `kam report funnel` table)
with funnel_tab:
    funnel = run_report(c.wh, "funnel", c.period, c.scope)
    stages = [c.t(f"stage.{s}") for s in funnel.stage]
    fig = go.Figure(go.Funnel(
        y=stages, x=funnel.orders, textinfo="value+percent initial",
        marker_color=[palette.colour("order_stage", s) for s in funnel.stage],
        customdata=list(zip(funnel.conversion.map(fmt_pct), funnel.conversion_from_visit.map(fmt_pct),
                            days(funnel.median_days), days(funnel.p90_days))),
        hovertemplate="%{y}: %{x} " + c.t("managers.orders.orders") + "<br>" + c.t("column.conversion")
                      + ": %{customdata[0]}<br>" + c.t("column.conversion_from_visit") + ": %{customdata[1]}<br>"
                      + c.t("column.median_days") + ": %{customdata[2]}<br>" + c.t("column.p90_days")
                      + ": %{customdata[3]}<extra></extra>"))
    fig.update_layout(height=360, margin={"t": 20, "b": 10})
    ui.plot(c, fig, "orders_funnel_chart")
    st.caption(c.t("managers.orders.funnel_help"))
    table = ui.label_column(funnel, "stage", "stage", c.lang)
    ui.show_table(c, table, "funnel", column_config=formats(table), key="orders_funnel")

# ---------------------------------------------------------------- by product
with product_tab:
    by_product = c.query("pages/orders_by_product")
    if by_product.empty:
        st.info(c.t("common.no_rows"))
    else:
        cycle_chart(by_product, [c.t(f"fee_item.{p}") for p in by_product["product"]],
                    "orders_product_chart")
        table = ui.label_column(by_product, "product", "fee_item", c.lang)
        ui.show_table(c, table, "orders_by_product", column_config=formats(table), key="orders_by_product")

# ---------------------------------------------------------------- by manager
with manager_tab:
    by_manager = c.query("pages/orders_by_manager")
    if by_manager.empty:
        st.info(c.t("common.no_rows"))
    else:
        top = by_manager.head(20)
        cycle_chart(top, (top.manager_name + " (" + top.manager_id + ")").tolist(), "orders_manager_chart")
        by_manager.insert(0, "profile_link", "/manager_profile?manager=" + by_manager.pop("manager_id"))
        ui.drill_table(c, by_manager, "orders_by_manager", "profile_link", column_config=formats(by_manager),
                       key="orders_by_manager")

# ---------------------------------------------------------------- stuck orders
with stuck_tab:
    left, right = st.columns(2, vertical_alignment="bottom")
    stuck_days = left.number_input(c.t("managers.orders.stuck_days"), min_value=1, step=1,
                                   value=int(c.wh.settings.orders.stuck_days), key="orders_stuck_days")
    in_period = right.toggle(c.t("managers.orders.in_period_only", period=c.period.label), value=True,
                             key="orders_in_period_only")
    stuck = c.query("pages/orders_stuck", {"stuck_days": stuck_days, "in_period_only": in_period})
    st.caption(c.t("managers.orders.stuck_count", n=len(stuck), days=stuck_days))
    stuck = ui.label_column(ui.label_column(stuck, "stage", "stage", c.lang), "product", "fee_item", c.lang)
    stuck.insert(0, "profile_link", "/manager_profile?manager=" + stuck.pop("manager_id"))
    ui.drill_table(c, stuck, "orders_stuck", "profile_link", column_config=formats(stuck), key="orders_stuck")

ui.definitions(c, "funnel", "cycle_time", "stuck_order")
