"""Managers (客户经理绩效): the scorecard with every score component, the quarterly award, workload."""
import plotly.graph_objects as go
import streamlit as st

from kam.app import palette, ui
from kam.figures.reports import run_report

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.managers"))
st.caption(c.t("managers.caption", period=c.period.label))

PERCENT = ("revenue_growth", "revenue_yoy", "member_churn_rate", "visit_compliance", "care_coverage",
           "sla_resolve_compliance", "star_fit_rate", "pr_revenue_growth", "pr_member_churn",
           "pr_visit_compliance", "pr_sla_resolution", "pr_satisfaction")


def formats(frame):
    """Rates in %, money in yuan, scores to two decimals."""
    return ui.column_formats(frame, rates=PERCENT, money=("revenue", "revenue_prev"),
                             decimals=("score", "satisfaction"))


def labelled(frame):
    frame = ui.label_column(frame, "employment", "employment", c.lang)
    frame = ui.label_column(frame, "workload", "managers.workload", c.lang)
    return frame


def with_link(frame):
    """First column: the profile link (/manager_profile?manager=M0001), which ui.drill_table shows as the id."""
    frame = frame.copy()
    frame.insert(0, "profile_link", "/manager_profile?manager=" + frame.pop("manager_id"))
    return frame


report = run_report(c.wh, "managers", c.period, c.scope)
if report.empty:
    st.info(c.t("common.no_rows"))
    st.stop()

# ---------------------------------------------------------------- filters
f1, f2, f3 = st.columns(3)
branch_names = dict(c.query("meta/branches")[["branch_id", "branch_name"]].values)
branches = f1.multiselect(c.t("app.branch_filter"), sorted(report.branch_id.unique()), key="managers_branches",
                          format_func=lambda b: branch_names.get(b, b), placeholder=c.t("app.all_branches"))
stars = f2.multiselect(c.t("column.star_level"), sorted(report.star_level.unique(), reverse=True),
                       format_func=lambda s: c.t(f"star.{s}"), key="managers_stars",
                       placeholder=c.t("managers.all_stars"))
employment = f3.multiselect(c.t("column.employment"), sorted(report.employment.dropna().unique()),
                            format_func=lambda e: c.t(f"employment.{e}"), key="managers_employment",
                            placeholder=c.t("managers.all_employment"))
shown = report[report.branch_id.isin(branches or report.branch_id)
               & report.star_level.isin(stars or report.star_level)
               & report.employment.isin(employment or report.employment)]

k1, k2, k3, k4 = st.columns(4)
ui.metric(c, k1, c.t("managers.kpi_managers"), len(shown), help=c.t("managers.kpi_managers_help"), border=False)
ui.metric(c, k2, c.t("managers.kpi_over"), int((shown.workload == "over").sum()), border=False)
ui.metric(c, k3, c.t("managers.kpi_under"), int((shown.workload == "under").sum()), border=False)
ui.metric(c, k4, c.t("managers.kpi_misfit"), int((shown.misfit_groups > 0).sum()), border=False)

score_tab, award_tab, workload_tab = st.tabs(
    [c.t("managers.tab_scorecard"), c.t("managers.tab_award"), c.t("managers.tab_workload")])

# ---------------------------------------------------------------- scorecard: score and each component
with score_tab:
    fig = go.Figure()
    for star in sorted(shown.star_level.unique(), reverse=True):
        rows = shown[shown.star_level == star]
        fig.add_trace(go.Box(
            y=rows.score, name=c.t(f"star.{star}"), boxpoints="all", jitter=0.4, pointpos=0,
            marker_color=palette.colour("star", int(star)),
            customdata=rows[["manager_id", "manager_name", "rank", "managers_in_star"]],
            hovertemplate="%{customdata[1]} (%{customdata[0]})<br>" + c.t("column.score") + ": %{y:.2f}<br>"
                          + c.t("column.rank") + ": %{customdata[2]} / %{customdata[3]}<extra></extra>"))
    fig.update_layout(height=340, margin={"t": 20, "b": 10}, showlegend=False, yaxis_title=c.t("column.score"))
    ui.plot(c, fig, "managers_score_chart")
    columns = ["manager_id", "manager_name", "branch_id", "star_level", "employment", "score", "rank",
               "managers_in_star", "groups", "groups_a", "groups_b", "groups_c", "members", "revenue",
               "revenue_growth", "revenue_yoy", "member_churn_rate", "visit_compliance", "care_coverage",
               "orders_visited", "orders_activated", "tickets", "sla_resolve_compliance", "satisfaction",
               "pr_revenue_growth", "pr_member_churn", "pr_visit_compliance", "pr_sla_resolution",
               "pr_satisfaction"]
    table = with_link(labelled(shown[columns]))
    ui.drill_table(c, table, "managers", "profile_link", column_config=formats(table), key="managers_table")

    # or pick one by name
    names = dict(zip(shown.manager_id, shown.manager_name))
    pick, link = st.columns([3, 1], vertical_alignment="bottom")
    chosen = pick.selectbox(c.t("managers.open_profile_of"), list(names), format_func=lambda m: f"{m} · {names[m]}",
                            key="managers_profile_pick")
    if chosen:
        ui.page_link(f"/manager_profile?manager={chosen}", c.t("managers.open_profile"), icon=":material/person:",
                     where=link)

# ---------------------------------------------------------------- the quarterly award: top of each star level
with award_tab:
    st.caption(c.t("managers.award_help"))
    top = st.number_input(c.t("managers.award_top"), min_value=1, max_value=10, value=3, step=1,
                          key="managers_award_top")
    award = shown[shown["rank"] <= top].sort_values(["star_level", "rank"], ascending=[False, True])
    award_cols = ["manager_id", "manager_name", "branch_id", "star_level", "rank", "managers_in_star", "score",
                  "pr_revenue_growth", "pr_member_churn", "pr_visit_compliance", "pr_sla_resolution",
                  "pr_satisfaction"]
    award_table = with_link(labelled(award[award_cols]))
    ui.drill_table(c, award_table, "managers_award", "profile_link", column_config=formats(award_table),
                   key="managers_award_table")

# ---------------------------------------------------------------- workload against capacity, star fit
with workload_tab:
    fig = go.Figure()
    for state in ("over", "within", "under"):
        rows = shown[shown.workload == state]
        fig.add_trace(go.Scatter(
            x=rows.avg_members, y=rows.groups, mode="markers", name=c.t(f"managers.workload.{state}"),
            marker_color=palette.WORKLOAD[state],
            customdata=rows[["manager_id", "manager_name", "capacity_low", "capacity_high", "star_level"]],
            hovertemplate="%{customdata[1]} (%{customdata[0]})<br>" + c.t("column.groups") + ": %{y}<br>"
                          + c.t("column.avg_members") + ": %{x:.1f}<br>" + c.t("managers.capacity")
                          + ": %{customdata[2]}–%{customdata[3]}<extra></extra>"))
    fig.update_layout(height=360, margin={"t": 20, "b": 10}, xaxis_title=c.t("column.avg_members"),
                      yaxis_title=c.t("column.groups"))
    ui.plot(c, fig, "managers_workload_chart")
    work_cols = ["manager_id", "manager_name", "branch_id", "star_level", "groups", "avg_members", "capacity_low",
                 "capacity_high", "workload", "star_fit_rate", "misfit_groups"]
    order = {"over": 0, "within": 1, "under": 2}
    work = with_link(labelled(shown[work_cols].sort_values(
        ["workload", "groups"], ascending=[True, False], key=lambda s: s.map(order) if s.name == "workload" else s)))
    ui.drill_table(c, work, "managers_workload", "profile_link", column_config=formats(work),
                   key="managers_workload_table")

ui.definitions(c, "score", "percentile_rank", "manager_book", "manager_revenue_growth", "manager_member_churn",
               "visit_compliance", "care_coverage", "orders_activated", "sla_resolve_compliance",
               "manager_satisfaction", "workload", "star_fit_rate")
