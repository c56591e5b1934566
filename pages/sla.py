"""Complaint SLAs (投诉时限, the red channel): compliance from first response to follow-up, the backlog and
the tickets about to breach, and why customers complain."""
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kam.app import palette, ui
from kam.app.fmt import fmt_count, fmt_decimal, fmt_pct
from kam.figures.reports import run_report

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.sla"))

STAGES = ("response", "resolve", "followup")
RATES = ("sla_response_compliance", "sla_resolve_compliance", "sla_followup_compliance", "ticket_share",
         "ticket_cum_share", "sla_used_share", "sla_satisfied_share")
CODES = {"class": "class", "severity": "severity", "category": "category", "channel": "channel",
         "sla_stage": "sla.stage", "backlog_band": "backlog"}
settings = c.wh.settings
as_of = c.wh.period_params(c.period)["as_of"]
bh = settings.business_hours
clock = c.t("sla.clock_business", days=c.t("sla.weekday_sep").join(c.t(f"sla.weekday.{d}") for d in bh.workdays),
            start=f"{bh.start:%H:%M}", end=f"{bh.end:%H:%M}", holidays=len(bh.holidays),
            extra=len(bh.extra_workdays)) if bh.enabled else c.t("sla.clock_calendar")
st.caption(c.t("sla.caption", as_of=f"{as_of:%Y-%m-%d %H:%M}", clock=clock))


def shown(frame):
    """Codes in words (class, severity, category, channel, stage, age band)."""
    for col, prefix in CODES.items():
        frame = ui.label_column(frame, col, prefix, c.lang)
    return frame


def formats(frame):
    """Rates as percentages, durations (…_h) in days and hours and the rest by kind (ui.column_formats)."""
    return ui.column_formats(frame, rates=RATES, decimals=["sla_satisfaction_mean"])


def table(frame, name):
    frame = shown(frame)
    if "sla_group_link" in frame:  # each ticket's row opens its group's profile
        ui.drill_table(c, frame, name, "sla_group_link", column_config=formats(frame), key=name)
    else:
        ui.show_table(c, frame, name, column_config=formats(frame), key=name)


def chart(fig, key, height=340, **layout):
    fig.update_layout(height=height, margin={"t": 20, "b": 10}, legend={"orientation": "h"}, **layout)
    ui.plot(c, fig, key)


def rate_bars(frame, x, key, horizontal=False):
    """The three compliance rates side by side; hover: the rate and breaches / tickets (resolved, for follow-up)."""
    fig, (cat, val) = go.Figure(), ("y", "x") if horizontal else ("x", "y")
    for stage in STAGES:
        rate, base = f"sla_{stage}_compliance", "resolved_tickets" if stage == "followup" else "tickets"
        name = c.t(f"column.{rate}")
        fig.add_trace(go.Bar(**{cat: x, val: frame[rate]}, name=name, orientation=val == "x" and "h" or "v",
                             marker_color=palette.SLA_STAGE[stage],
                             customdata=frame[[f"{stage}_breaches", base]],
                             hovertemplate=f"%{{{cat}}}<br>{name}: %{{{val}:.1%}}<br>"
                                           f"{c.t(f'column.{stage}_breaches')}: %{{customdata[0]}} / "
                                           "%{customdata[1]}<extra></extra>"))
    axis = {"xaxis_tickformat": ".0%", "yaxis_autorange": "reversed"} if horizontal else {"yaxis_tickformat": ".0%"}
    chart(fig, key, height=max(340, 28 * len(x)) if horizontal else 340, barmode="group", **axis)


# ---------------------------------------------------------------- headline figures
summary = c.query("pages/sla_summary").astype(object).iloc[0]  # plain Python numbers for the formatters
top, bottom = st.columns(4), st.columns(4)
ui.metric(c, top[0], c.t("sla.kpi_tickets"), fmt_count(summary.tickets, c.lang), border=False)
for col, rate in zip(top[1:], RATES[:3]):
    ui.metric(c, col, c.t(f"metric.{rate}.name"), fmt_pct(summary[rate]), help=c.t(f"metric.{rate}.help"),
              border=False)
ui.metric(c, bottom[0], c.t("sla.kpi_backlog"), fmt_count(summary.backlog, c.lang), help=c.t("metric.backlog.help"),
          border=False)
ui.metric(c, bottom[1], c.t("sla.kpi_at_risk"), fmt_count(summary.at_risk_tickets, c.lang),
          help=c.t("metric.sla_at_risk.help"), border=False)
ui.metric(c, bottom[2], c.t("sla.kpi_repeat"), fmt_pct(summary.sla_repeat_share),
          note=f"{fmt_count(summary.repeat_tickets, c.lang)} / {fmt_count(summary.tickets, c.lang)}",
          help=c.t("metric.sla_repeat.help"), border=False)
ui.metric(c, bottom[3], c.t("sla.kpi_satisfaction"),
          c.t("sla.kpi_satisfaction_value", mean=fmt_decimal(summary.sla_satisfaction_mean)),
          note=c.t("sla.kpi_satisfied", share=fmt_pct(summary.sla_satisfied_share)),
          help=c.t("metric.satisfaction.help"), border=False)

# The open tab is part of the view (view=…): a copied link or the back button opens the same tab.
tabs = {name: c.t(f"sla.tab_{name}") for name in ("compliance", "backlog", "why")}
if st.query_params.get("view") in tabs:
    st.session_state["sla_tab"] = tabs[st.query_params["view"]]


def tab_to_url() -> None:
    st.query_params["view"] = next(name for name, label in tabs.items() if label == st.session_state["sla_tab"])


compliance_tab, backlog_tab, why_tab = st.tabs(list(tabs.values()), default=tabs.get(st.query_params.get("view"),
                                               tabs["compliance"]), key="sla_tab", on_change=tab_to_url)

# ---------------------------------------------------------------- compliance: class × severity, times, cuts, trend
with compliance_tab:
    st.subheader(c.t("sla.by_class_severity"))
    report = run_report(c.wh, "sla", c.period, c.scope)
    cells = [f"{c.t('class.' + k)}·{c.t(f'severity.{s}')}" for k, s in zip(report["class"], report.severity)]
    rate_bars(report, cells, "sla_class_severity_chart")
    table(report, "sla_report")

    st.subheader(c.t("sla.times"))
    stage = st.segmented_control(c.t("sla.stage_pick"), STAGES, format_func=lambda s: c.t(f"sla.stage.{s}"),
                                 default="resolve", key="sla_time_stage") or "resolve"
    fig = go.Figure()
    for what, label, colour in (("median", c.t("sla.median"), palette.SERIES[0]),
                                ("p90", c.t("sla.p90"), palette.SERIES[7])):
        fig.add_trace(go.Bar(x=cells, y=report[f"{stage}_{what}_h"], name=label, marker_color=colour,
                             hovertemplate="%{x}<br>" + label + ": %{y:.2f} " + c.t("sla.hours") + "<extra></extra>"))
    fig.add_trace(go.Scatter(x=cells, y=report[f"{stage}_target_h"], name=c.t("sla.target"), mode="markers",
                             marker={"symbol": "diamond", "size": 11, "color": palette.REFERENCE},
                             hovertemplate="%{x}<br>" + c.t("sla.target") + ": %{y} " + c.t("sla.hours")
                                           + "<extra></extra>"))
    chart(fig, "sla_times_chart", barmode="group", yaxis_title=c.t("sla.hours"))
    st.caption(c.t("sla.times_help"))

    cut = st.selectbox(c.t("sla.cut_by"), ("class", "severity", "category", "channel", "branch", "manager"),
                       index=4, format_func=lambda d: c.t(f"sla.cut.{d}"), key="sla_cut")
    st.subheader(c.t("sla.by_cut", cut=c.t(f"sla.cut.{cut}")))
    cuts = c.query("pages/sla_cuts", {"dimension": cut})
    if cut in ("branch", "manager"):
        cuts = cuts.rename(columns={"cut": f"{cut}_id", "cut_name": f"{cut}_name"})
        names = cuts[f"{cut}_name"].fillna(c.t("common.unassigned"))
    else:
        cuts = cuts.drop(columns="cut_name").rename(columns={"cut": cut})
        names = shown(cuts)[cut].fillna("—")
    # Hundreds of managers would make a column of bars thousands of pixels tall: the chart shows the worst
    # few (lowest share resolved within SLA, then most tickets), the table below every row.
    worst = cuts.assign(_name=names.values)
    if len(worst) > 15:
        n = st.number_input(c.t("sla.chart_worst"), min_value=5, max_value=len(worst), value=15, step=5,
                            key=f"sla_cut_worst_{cut}")
        worst = worst.sort_values(["sla_resolve_compliance", "tickets"], ascending=[True, False],
                                  na_position="last").head(int(n))
        st.caption(c.t("sla.chart_worst_note", n=len(worst), total=len(cuts)))
    rate_bars(worst, worst["_name"].tolist(), "sla_cut_chart", horizontal=True)
    table(cuts, f"sla_by_{cut}")

    st.subheader(c.t("sla.trend"))
    trend = c.query("pages/sla_trend")
    fig = go.Figure()
    for s in STAGES:
        rate, base = f"sla_{s}_compliance", "resolved_tickets" if s == "followup" else "tickets"
        fig.add_trace(go.Scatter(x=trend.month_start, y=trend[rate], name=c.t(f"column.{rate}"), mode="lines+markers",
                                 customdata=trend[[f"{s}_breaches", base]], line_color=palette.SLA_STAGE[s],
                                 marker_color=palette.SLA_STAGE[s],
                                 hovertemplate="%{x}<br>" + c.t(f"column.{rate}") + ": %{y:.1%}<br>"
                                               + c.t(f"column.{s}_breaches") + ": %{customdata[0]} / "
                                               "%{customdata[1]}<extra></extra>"))
    chart(fig, "sla_trend_chart", yaxis_tickformat=".0%")  # months read in the viewer's language (kam.app.charts)

# ---------------------------------------------------------------- backlog, at risk, breaches
with backlog_tab:
    st.subheader(c.t("sla.backlog"))
    backlog = c.query("pages/sla_backlog")
    fig = go.Figure()
    for sev, rows in backlog.groupby("severity", sort=True):
        name = c.t(f"severity.{sev}")
        fig.add_trace(go.Bar(x=[c.t(f"backlog.{b}") for b in rows.backlog_band], y=rows.tickets, name=name,
                             marker_color=palette.colour("severity", sev),
                             hovertemplate="%{x}<br>" + name + ": %{y}<extra></extra>"))
    chart(fig, "sla_backlog_chart", height=300, barmode="stack", yaxis_rangemode="nonnegative")

    st.subheader(c.t("sla.at_risk", share=fmt_pct(settings.sla.at_risk_share)))
    at_risk = c.query("pages/sla_at_risk")
    if at_risk.empty:
        st.success(c.t("sla.no_at_risk"))
    else:
        # the card counts tickets, the list one row per clock at risk
        st.caption(c.t("sla.at_risk_count", tickets=fmt_count(at_risk.ticket_id.nunique(), c.lang),
                       clocks=fmt_count(len(at_risk), c.lang)))
        table(at_risk, "sla_at_risk")

    # the breaches of the period's tickets, the ones the compliance cards count; the toggle narrows them
    st.subheader(c.t("sla.breaches"))
    pending = st.toggle(c.t("sla.only_pending"), value=True, key="sla_only_pending")
    breaches = c.query("pages/sla_breaches", {"only_pending": pending})
    st.caption(c.t("sla.breaches_caption", period=c.period.label,
                   n=fmt_count(summary.response_breaches + summary.resolve_breaches + summary.followup_breaches,
                               c.lang),
                   response=fmt_count(summary.response_breaches, c.lang),
                   resolve=fmt_count(summary.resolve_breaches, c.lang),
                   followup=fmt_count(summary.followup_breaches, c.lang))
               + (c.t("sla.breaches_pending", n=fmt_count(len(breaches), c.lang)) if pending else ""))
    if breaches.empty:
        st.success(c.t("sla.no_breaches"))
    else:  # not done yet: every clock still runs, nothing stopped
        table(breaches.drop(columns=["sla_clock_running", "sla_stopped_at"]) if pending else breaches, "sla_breaches")

    # every ticket the backlog card counts, whenever created, each aged in days (after the lists to act on)
    open_tickets = c.query("pages/sla_open")
    with st.expander(c.t("sla.open_list", n=fmt_count(len(open_tickets), c.lang))):
        table(open_tickets, "sla_open")

# ---------------------------------------------------------------- why customers complain
with why_tab:
    st.subheader(c.t("sla.pareto"))
    pareto = c.query("pages/sla_categories")
    labels = shown(pareto).category.tolist()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=labels, y=pareto.tickets, name=c.t("column.tickets"), customdata=pareto[["ticket_share"]],
                         marker_color=palette.SERIES[0],
                         hovertemplate="%{x}<br>" + c.t("column.tickets") + ": %{y} (%{customdata[0]:.1%})"
                                       "<extra></extra>"))
    fig.add_trace(go.Scatter(x=labels, y=pareto.ticket_cum_share, name=c.t("sla.cum_share"), mode="lines+markers",
                             line_color=palette.REFERENCE, marker_color=palette.REFERENCE,
                             hovertemplate="%{x}<br>" + c.t("sla.cum_share") + ": %{y:.1%}<extra></extra>"),
                  secondary_y=True)
    fig.update_yaxes(title_text=c.t("column.tickets"), rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text=c.t("sla.cum_share"), tickformat=".0%", range=[0, 1.05], dtick=0.2, secondary_y=True)
    chart(fig, "sla_pareto_chart")
    table(pareto, "sla_categories")

    st.subheader(c.t("sla.repeats", days=settings.sla.repeat_days))
    repeats = c.query("pages/sla_repeats")
    if repeats.empty:
        st.info(c.t("sla.no_repeats"))
    else:
        table(repeats, "sla_repeats")

    st.subheader(c.t("sla.satisfaction"))
    sat = c.query("pages/sla_satisfaction")
    fig = go.Figure()
    for breached, rows in sat.groupby("sla_breached", sort=True):
        name = c.t("sla.breached_yes" if breached else "sla.breached_no")
        fig.add_trace(go.Bar(x=[c.t(f"sla.stage.{s}") for s in rows.sla_stage], y=rows.sla_satisfaction_mean,
                             name=name, marker_color=palette.BREACHED[bool(breached)], customdata=rows[["sla_satisfied_share", "sla_answers", "sla_followed_up"]],
                             hovertemplate="%{x} · " + name + "<br>" + c.t("sla.satisfaction_mean")
                                           + ": %{y:.2f}<br>" + c.t("column.sla_satisfied_share")
                                           + ": %{customdata[0]:.1%}<br>" + c.t("column.sla_answers")
                                           + ": %{customdata[1]} / %{customdata[2]}<extra></extra>"))
    chart(fig, "sla_satisfaction_chart", barmode="group", yaxis_range=[0, 5])
    table(sat.assign(sla_breached=sat.sla_breached.map(
        lambda b: c.t("sla.breached_yes" if b else "sla.breached_no"))), "sla_satisfaction")

ui.definitions(c, "sla_targets", "sla_clock", "sla_breach", "sla_response_compliance", "sla_resolve_compliance",
               "sla_followup_compliance", "sla_times", "backlog", "sla_at_risk", "sla_late", "sla_late_days",
               "sla_repeat", "sla_category_pareto", "satisfaction")
