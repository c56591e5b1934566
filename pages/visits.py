"""Visits (服务走访, the yellow channel): visit compliance by class, branch and manager, care coverage by
quarter and theme, and the groups overdue for a visit."""
import plotly.graph_objects as go
import streamlit as st

from kam.app import charts, palette, ui
from kam.figures.reports import run_report

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.visits"))
st.caption(c.t("managers.visits.caption", period=c.period.label))

RATES = ("visit_compliance", "care_coverage", "visit_compliance_a", "visit_compliance_b", "visit_compliance_c",
         "on_theme_coverage")


def formats(frame):
    """Rates as percentages."""
    return ui.column_formats(frame, rates=RATES)


def rate_bars(frame, x_labels, key):
    """Visit compliance and care coverage side by side, exact values on hover."""
    fig = go.Figure()
    for col, colour in (("visit_compliance", palette.SERIES[0]), ("care_coverage", palette.SERIES[1])):
        fig.add_trace(go.Bar(
            x=x_labels, y=frame[col], name=c.t(f"column.{col}"), marker_color=colour,
            customdata=frame[["groups", "compliant_groups" if col == "visit_compliance" else "cared_groups"]],
            hovertemplate="%{x}<br>" + c.t(f"column.{col}") + ": %{y:.1%} (%{customdata[1]} / %{customdata[0]})"
                          "<extra></extra>"))
    fig.update_layout(height=320, margin={"t": 20, "b": 10}, barmode="group", yaxis_tickformat=".0%",
                      legend={"orientation": "h"})
    ui.plot(c, fig, key)


compliance_tab, care_tab, overdue_tab = st.tabs(
    [c.t("managers.visits.tab_compliance"), c.t("managers.visits.tab_care"), c.t("managers.visits.tab_overdue")])

# ---------------------------------------------------------------- visit compliance by class, branch, manager
with compliance_tab:
    by_class = c.query("pages/visits_by_class")
    st.subheader(c.t("managers.visits.by_class"))
    rate_bars(by_class, [c.t(f"class.{k}") for k in by_class["class"]], "visits_class_chart")
    table = ui.label_column(by_class, "class", "class", c.lang)
    ui.show_table(c, table, "visits_by_class", column_config=formats(table), key="visits_by_class")

    st.subheader(c.t("managers.visits.by_branch"))
    by_branch = c.query("pages/visits_by_branch")
    rate_bars(by_branch, by_branch.branch_name.tolist(), "visits_branch_chart")
    report = ui.label_column(run_report(c.wh, "visits", c.period, c.scope), "class", "class", c.lang)
    ui.show_table(c, report, "visits", column_config=formats(report), key="visits_report")

    st.subheader(c.t("managers.visits.by_manager"))
    by_manager = c.query("pages/visits_by_manager")
    by_manager.insert(0, "profile_link", "/manager_profile?manager=" + by_manager.pop("manager_id").fillna(""))
    ui.drill_table(c, by_manager, "visits_by_manager", "profile_link", column_config=formats(by_manager),
                   key="visits_by_manager")

# ---------------------------------------------------------------- care coverage by quarter and theme
with care_tab:
    quarters = c.query("pages/visits_care_quarters")
    themes = c.query("pages/visits_care_themes")
    fig = go.Figure()
    for theme in sorted(themes.theme.unique()):
        rows = themes[themes.theme == theme]
        name = c.t(f"theme.{theme}") if theme != "unspecified" else c.t("managers.visits.no_theme")
        fig.add_trace(go.Bar(
            x=[charts.quarter_label(q, c.lang) for q in rows.quarter_label], y=rows.cared_groups, name=name,
            customdata=rows[["care_visits"]], marker_color=palette.colour("theme", theme),
            hovertemplate="%{x} · " + name + "<br>" + c.t("column.cared_groups") + ": %{y}<br>"
                          + c.t("column.care_visits") + ": %{customdata[0]}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=[charts.quarter_label(q, c.lang) for q in quarters.quarter_label], y=quarters.care_coverage,
        name=c.t("column.care_coverage"), yaxis="y2", mode="lines+markers",
        customdata=quarters[["cared_groups", "groups"]],
        line_color=palette.REFERENCE, marker_color=palette.REFERENCE,
        hovertemplate="%{x}<br>" + c.t("column.care_coverage") + ": %{y:.1%} (%{customdata[0]} / %{customdata[1]})"
                      "<extra></extra>"))
    fig.update_layout(height=360, margin={"t": 20, "b": 10}, barmode="stack", legend={"orientation": "h"},
                      yaxis_title=c.t("column.cared_groups"), xaxis={"type": "category", "categoryorder": "array",
                      "categoryarray": [charts.quarter_label(q, c.lang)
                                        for q in sorted({*quarters.quarter_label, *themes.quarter_label})]},
                      yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "rangemode": "tozero",
                              "title": c.t("column.care_coverage")})
    ui.plot(c, fig, "visits_care_chart")
    table = ui.label_column(quarters.drop(columns=["quarter_start"]), "quarter_theme", "theme", c.lang)
    ui.show_table(c, table, "visits_care", column_config=formats(table), key="visits_care")

# ---------------------------------------------------------------- groups overdue for a visit, longest first
with overdue_tab:
    overdue = c.query("pages/visits_overdue")
    st.caption(c.t("managers.visits.overdue_help", n=len(overdue)))
    overdue.insert(0, "group_link", "/group_profile?group=" + overdue.pop("group_id"))
    overdue = ui.label_column(overdue, "class", "class", c.lang)
    ui.drill_table(c, overdue, "visits_overdue", "group_link", column_config=formats(overdue), key="visits_overdue")

ui.definitions(c, "visit_compliance", "care_coverage", "care_theme", "overdue_visit")
