"""Branch comparison (分公司对比): every branch on every KPI, ranks and the province, trends, drill-down."""
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from kam.app import ui
from kam.app.fmt import fmt_number, fmt_pct, fmt_yuan
from kam.figures.reports import run_report

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.branches"))
st.caption(c.t("customers.branches.caption", period=c.period.label))

# A regional head sees every branch in these comparison figures, and only their own in the drill-down.
comparison = c.comparison_scope
report = run_report(c.wh, "branches", c.period, comparison)
province = c.wh.query("pages/branches_province", c.wh.period_params(c.period), comparison)
if report.empty:
    st.info(c.t("common.no_rows"))
    st.stop()
report["branch_name"] = report.branch_name.fillna(report.branch_id)
total = province.iloc[0]
# Each branch's own targets of the period (never the province's): a marker on its bar, red when behind.
targets = run_report(c.wh, "targets", c.period, comparison).dropna(subset=["branch_id"])
targets["behind"] = targets.ahead_of_time.eq(False) | (targets.ahead_of_time.isna() & targets.on_target.eq(False))

# KPI → (kind, higher is better)
KPIS = {"revenue": ("money", True), "revenue_mom": ("rate", True), "arpu": ("money", True),
        "member_churn_rate": ("rate", False), "visit_compliance": ("rate", True),
        "sla_resolve_compliance": ("rate", True), "star_fit_rate": ("rate", True), "groups": ("count", True),
        "members": ("count", True)}
HOVER = {"money": "¥%{y:,.2f}", "rate": "%{y:.2%}", "count": "%{y:,}"}
RATES = [k for k, (kind, _) in KPIS.items() if kind == "rate"]


def shown(value, kind: str) -> str:
    value = None if value is None or pd.isna(value) else float(value)  # kam.app.fmt wants Python numbers
    if kind == "money":
        return fmt_yuan(value, c.lang)
    return fmt_pct(value) if kind == "rate" else fmt_number(value, c.lang, decimals=0)


def formats(frame) -> dict:
    return ui.column_formats(frame, rates=RATES, money=("revenue", "arpu", "revenue_previous"),
                             links={"profile": r"=(.+)$", "manager_profile": r"=(.+)$"})


def kpi_chart(kpi: str, frame: pd.DataFrame, key: str) -> None:
    """One KPI, branches best (top) to worst; the province (average branch for totals) as a dashed line."""
    kind, higher = KPIS[kpi]
    data = frame.dropna(subset=[kpi]).sort_values(kpi, ascending=higher)  # plotly draws the first row lowest
    goals = data[["branch_id"]].merge(targets[targets.kpi == kpi], on="branch_id", how="left")
    fig = go.Figure(go.Bar(
        x=data[kpi].astype(float), y=data.branch_name, orientation="h", customdata=data[f"{kpi}_rank"],
        marker_color=["#d62728" if pd.notna(b) and b else "#1f77b4" for b in goals.behind],
        hovertemplate="%{y}<br>" + c.t(f"column.{kpi}") + ": " + HOVER[kind].replace("y", "x") + "<br>"
                      + c.t("column.rank") + ": %{customdata}<extra></extra>"))
    if goals.target.notna().any():
        fig.add_trace(go.Scatter(
            x=goals.target.astype(float).tolist(), y=data.branch_name, mode="markers", name=c.t("targets.marker"),
            marker={"symbol": "line-ns-open", "size": 18, "line": {"width": 3}, "color": "#111"},
            customdata=goals[["attainment", "time_progress"]].astype(float), showlegend=False,
            hovertemplate="%{y}<br>" + c.t("targets.marker") + ": " + HOVER[kind].replace("y", "x") + "<br>"
                          + c.t("column.attainment") + ": %{customdata[0]:.2%}<br>" + c.t("column.time_progress")
                          + ": %{customdata[1]:.1%}<extra></extra>"))
    reference = f"{kpi}_per_branch" if f"{kpi}_per_branch" in total else kpi
    if pd.notna(total[reference]):
        fig.add_vline(x=float(total[reference]), line_dash="dash", annotation_position="top", annotation_text=c.t(
            "customers.branches.average_is" if reference != kpi else "customers.branches.province_is",
            value=shown(total[reference], kind)))
    fig.update_layout(title=c.t(f"column.{kpi}"), height=100 + 22 * len(data), margin={"t": 60, "b": 10, "l": 10,
                      "r": 10}, xaxis_tickformat=".0%" if kind == "rate" else None)
    ui.plot(c, fig, key)


focus = st.query_params.get("kpi")
picked_branch = st.query_params.get("branch")
tabs = {name: c.t(f"customers.branches.tab.{name}") for name in ("compare", "trends", "side_by_side", "drill")}
view = st.query_params.get("view") or ("drill" if picked_branch else "compare")
compare_tab, trends_tab, side_tab, drill_tab = st.tabs(
    list(tabs.values()), default=tabs.get(view, tabs["compare"]), key="branches_tab", on_change="rerun")

# ---------------------------------------------------------------- every branch on every KPI
if compare_tab.open:
    with compare_tab:
        order = [focus] + [k for k in KPIS if k != focus] if focus in KPIS else list(KPIS)
        for start in range(0, len(order), 3):
            for column, kpi in zip(st.columns(3), order[start:start + 3]):
                with column:
                    kpi_chart(kpi, report, f"branches_chart_{kpi}")
        columns = ["branch_id", "branch_name", *KPIS, "unassigned_groups", "churned_groups", "tickets",
                   *[f"{k}_rank" for k in KPIS]]
        if not targets.empty:
            st.caption(c.t("targets.branches_note", progress=fmt_pct(float(targets.time_progress.iloc[0]))))
        st.markdown(f"**{c.t('customers.branches.table')}**")
        ui.show_table(c, report[columns], "branches", column_config=formats(report[columns]), key="branches_table")
        st.markdown(f"**{c.t('customers.branches.province')}**")
        ui.show_table(c, province, "branches_province", column_config=formats(province), key="branches_province")

# ---------------------------------------------------------------- trends as small multiples
if trends_tab.open:
    with trends_tab:
        trend = c.wh.query("pages/branches_trend", c.wh.period_params(c.period), comparison)
        trend["month"] = pd.to_datetime(trend.month_start).dt.strftime("%Y-%m")
        TRENDS = ["revenue", "groups", "members", "arpu", "member_churn_rate", "sla_resolve_compliance",
                  "star_fit_rate"]
        kpi = st.selectbox(c.t("customers.branches.trend_kpi"), TRENDS, format_func=lambda k: c.t(f"column.{k}"),
                           key="branches_trend_kpi")
        kind = KPIS[kpi][0]
        fig = px.line(trend, x="month", y=kpi, facet_col="branch_name", facet_col_wrap=4, markers=True,
                      labels={"month": "", kpi: c.t(f"column.{kpi}"), "branch_name": ""})
        fig.update_traces(hovertemplate="%{x}<br>" + c.t(f"column.{kpi}") + ": " + HOVER[kind] + "<extra></extra>")
        fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
        fig.update_xaxes(type="category")
        fig.update_layout(height=220 * ((trend.branch_id.nunique() + 3) // 4), margin={"t": 30, "b": 10})
        ui.plot(c, fig, "branches_trend_chart")
        st.caption(c.t("customers.branches.no_visit_trend"))

# ---------------------------------------------------------------- two or more branches side by side
if side_tab.open:
    with side_tab:
        names = dict(zip(report.branch_id, report.branch_name))
        chosen = st.multiselect(c.t("customers.branches.pick"), list(names), format_func=names.get,
                                default=list(names)[:2], key="branches_side_pick")
        if len(chosen) < 2:
            st.info(c.t("customers.branches.pick_two"))
        else:
            side = report[report.branch_id.isin(chosen)][["branch_id", "branch_name", *KPIS]]
            side = pd.concat([side, pd.DataFrame([{"branch_name": c.t("customers.branches.province"),
                                                   **{k: total[k] for k in KPIS}}])], ignore_index=True)
            fig = go.Figure([go.Bar(name=r.branch_name, x=[c.t(f"column.{k}") for k in RATES],
                                    y=[float(getattr(r, k)) if pd.notna(getattr(r, k)) else None for k in RATES],
                                    hovertemplate="%{x}: %{y:.2%}<extra>" + r.branch_name + "</extra>")
                             for r in side.itertuples()])
            fig.update_layout(barmode="group", height=320, yaxis_tickformat=".0%", margin={"t": 20, "b": 10})
            ui.plot(c, fig, "branches_side_chart")
            ui.show_table(c, side, "branches_side_by_side", column_config=formats(side), key="branches_side_table")

# ---------------------------------------------------------------- drill from a branch to its managers and groups
if drill_tab.open:
    with drill_tab:
        mine = c.query("meta/branches")
        names = dict(zip(mine.branch_id, mine.branch_name))
        if not names:
            st.info(c.t("common.no_rows"))
            st.stop()
        options = list(names)
        branch = st.selectbox(c.t("column.branch_id"), options, format_func=lambda b: f"{b} · {names[b]}",
                              index=options.index(picked_branch) if picked_branch in options else 0,
                              key="branches_drill_branch")
        row = report.set_index("branch_id").loc[branch] if branch in set(report.branch_id) else None
        if row is not None:
            for column, kpi in zip(st.columns(len(RATES)), RATES):
                gap = row[kpi] - total[kpi] if pd.notna(row[kpi]) and pd.notna(total[kpi]) else None
                column.metric(("▶ " if kpi == focus else "") + c.t(f"column.{kpi}"), shown(row[kpi], "rate"),
                              delta=None if gap is None else c.t("customers.points_vs_province",
                                                                  value=f"{gap * 100:+.1f}"),
                              delta_color="inverse" if not KPIS[kpi][1] else "normal", border=True)
        st.markdown(f"**{c.t('customers.branches.managers_of', branch=names[branch])}**")
        managers = ui.label_column(c.query("pages/branches_managers", {"branch": branch}), "employment",
                                   "employment", c.lang)
        managers = managers[["manager_profile", *managers.columns.drop("manager_profile")]]
        ui.show_table(c, managers, f"branch_{branch}_managers", column_config=formats(managers),
                      key="branches_drill_managers")
        st.markdown(f"**{c.t('customers.branches.groups_of', branch=names[branch])}**")
        groups = c.query("pages/branches_groups", {"branch": branch})
        groups = ui.label_column(ui.label_column(groups, "class", "class", c.lang), "suggested_class", "class", c.lang)
        groups = groups[["profile", *[col for col in groups.columns if col != "profile"]]]
        ui.show_table(c, groups, f"branch_{branch}_groups", column_config=formats(groups), key="branches_drill_groups")

ui.definitions(c, "revenue", "revenue_mom", "arpu", "member_churn_rate", "visit_compliance",
               "sla_resolve_compliance", "star_fit_rate", "groups", "members", "rank", "province", "period_rollup",
               "target", "attainment", "time_progress")
