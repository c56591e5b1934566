"""Branch comparison (分公司对比): every branch on every KPI, ranks and the province, trends, drill-down."""
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kam.app import charts, fmt, palette, ui
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

# KPI → (kind, higher is better)
KPIS = {"revenue": ("money", True), "revenue_mom": ("rate", True), "arpu": ("money", True),
        "member_churn_rate": ("rate", False), "visit_compliance": ("rate", True),
        "sla_resolve_compliance": ("rate", True), "star_fit_rate": ("rate", True), "groups": ("count", True),
        "members": ("count", True)}
HOVER = {"money": "¥%{y:,.2f}", "rate": "%{y:.2%}", "count": "%{y:,}"}
RATES = [k for k, (kind, _) in KPIS.items() if kind == "rate"]
BAD, PLAIN = palette.BAD, palette.SERIES[0]  # a branch below its target, any other

# The targets of the branch alerts (settings [alerts]) and the branches below them, by the overview's rule.
targets = c.wh.query("pages/branches_alerts", c.wh.period_params(c.period), comparison)
TARGET = dict(zip(targets.kpi, targets.target))
ALERT_KPI = dict(zip(targets.alert, targets.kpi))
alert = st.query_params.get("alert")
# Each branch's own targets of the period from the targets export (never the province's), drawn as a
# tick on its bar; a bar is red also when the branch is behind time progress or off that target. For
# revenue, which builds up over the period, the tick is the target at time progress (序时目标), so that a
# bar short of its tick is behind time.
plan = run_report(c.wh, "targets", c.period, comparison).dropna(subset=["branch_id"])
plan["behind"] = plan.ahead_of_time.eq(False) | (plan.ahead_of_time.isna() & plan.on_target.eq(False))
plan["tick"] = plan.target.where(plan.ahead_of_time.isna(), plan.target * plan.time_progress)


def shown(value, kind: str) -> str:
    return fmt.fmt_figure(value, kind, c.lang)


def formats(frame) -> dict:
    return ui.column_formats(frame, rates=[*RATES, "drop_share"], money=("revenue", "arpu", "revenue_previous"))


def kpi_chart(kpi: str, frame: pd.DataFrame, key: str) -> None:
    """One KPI, branches best (top) to worst; the province (average branch for totals) as a dashed line."""
    kind, higher = KPIS[kpi]
    data = frame.dropna(subset=[kpi]).sort_values(kpi, ascending=higher)  # plotly draws the first row lowest
    below = set(targets.branch_id[(targets.kpi == kpi) & targets.below_target])
    goals = data[["branch_id"]].merge(plan[plan.kpi == kpi], on="branch_id", how="left")
    below |= set(goals.branch_id[goals.behind.eq(True).fillna(False).astype(bool)])
    fig = go.Figure(go.Bar(
        x=data[kpi].astype(float), y=data.branch_name, orientation="h", customdata=data[f"{kpi}_rank"],
        marker_color=[BAD if b in below else PLAIN for b in data.branch_id],
        hovertemplate="%{y}<br>" + c.t(f"column.{kpi}") + ": " + HOVER[kind].replace("y", "x") + "<br>"
                      + c.t("column.rank") + ": %{customdata}<extra></extra>"))
    if goals.target.notna().any():
        paced = goals.ahead_of_time.notna().any()
        fig.add_trace(go.Scatter(
            x=goals.tick.astype(float).tolist(), y=data.branch_name, mode="markers",
            name=c.t("targets.paced_marker" if paced else "targets.marker"),
            marker={"symbol": "line-ns-open", "size": 18, "line": {"width": 3}, "color": palette.REFERENCE},
            customdata=goals[["target", "attainment", "time_progress"]].astype(float),
            hovertemplate="%{y}<br>" + c.t("targets.paced_marker" if paced else "targets.marker") + ": "
                          + HOVER[kind].replace("y", "x") + "<br>" + c.t("targets.marker") + ": "
                          + HOVER[kind].replace("y", "customdata[0]") + "<br>" + c.t("column.attainment")
                          + ": %{customdata[1]:.2%}<br>" + c.t("column.time_progress")
                          + ": %{customdata[2]:.1%}<extra></extra>"))
        fig.update_layout(showlegend=False)
    reference = f"{kpi}_per_branch" if f"{kpi}_per_branch" in total else kpi
    if pd.notna(total[reference]):
        fig.add_vline(x=float(total[reference]), line_dash="dash", annotation_position="top", annotation_text=c.t(
            "customers.branches.average_is" if reference != kpi else "customers.branches.province_is",
            value=shown(total[reference], kind)))
    if kpi in TARGET:  # the alert's target, and the branches below it in red
        fig.add_vline(x=float(TARGET[kpi]), line_color=BAD, line_dash="dot", annotation_position="bottom",
                      annotation_text=c.t("customers.branches.target_is", value=shown(TARGET[kpi], "rate")),
                      annotation_font_color=BAD)
    fig.update_layout(title=c.t(f"column.{kpi}"), height=100 + 22 * len(data), margin={"t": 60, "b": 10, "l": 10,
                      "r": 10}, xaxis_tickformat=".0%" if kind == "rate" else None)
    ui.plot(c, fig, key)


def flag_first(frame: pd.DataFrame, flags, *lead: str) -> pd.DataFrame:
    """The rows an alert is about first, marked in a first column, the figures it checks (lead) beside it."""
    frame = frame.assign(alert_flag=list(flags))
    first = ["alert_flag", *[col for col in frame.columns if col in lead and col != "alert_flag"]]
    frame = frame[[*first, *frame.columns.drop(first)]]
    return frame.sort_values("alert_flag", ascending=False, kind="stable")


focus = st.query_params.get("kpi")
picked_branch = st.query_params.get("branch")
tabs = {name: c.t(f"customers.branches.tab.{name}") for name in ("compare", "trends", "side_by_side", "drill")}
view = st.query_params.get("view") or ("drill" if picked_branch else "compare")
if view in tabs:  # the URL's tab, also when the browser's back button returns to it
    st.session_state["branches_tab"] = tabs[view]


def tab_to_url() -> None:
    st.query_params["view"] = next(name for name, label in tabs.items() if label == st.session_state["branches_tab"])


compare_tab, trends_tab, side_tab, drill_tab = st.tabs(
    list(tabs.values()), default=tabs.get(view, tabs["compare"]), key="branches_tab", on_change=tab_to_url)

# ---------------------------------------------------------------- every branch on every KPI
if compare_tab.open:
    with compare_tab:
        order = [focus] + [k for k in KPIS if k != focus] if focus in KPIS else list(KPIS)
        if alert in ALERT_KPI:  # the alert that opened the page: its rule, and its branches first in the table
            kpi = ALERT_KPI[alert]
            flagged = targets[(targets.alert == alert) & targets.below_target].sort_values("value")  # worst first
            names = dict(zip(report.branch_id, report.branch_name))
            listed = c.t("customers.branches.name_sep").join(names.get(b, b) for b in flagged.branch_id)
            st.warning(c.t("customers.branches.alert_rows", kpi=c.t(f"column.{kpi}"), n=len(flagged),
                           target=shown(TARGET[kpi], "rate"), branches=listed), icon=":material/warning:")
        for start in range(0, len(order), 3):
            for column, kpi in zip(st.columns(3), order[start:start + 3]):
                with column:
                    kpi_chart(kpi, report, f"branches_chart_{kpi}")
        columns = ["branch_id", "branch_name", *KPIS, "unassigned_groups", "churned_groups", "tickets",
                   *[f"{k}_rank" for k in KPIS]]
        table = report[columns]
        if alert in ALERT_KPI:
            table = flag_first(table, table.branch_id.isin(flagged.branch_id))
        if not plan.empty:
            st.caption(c.t("targets.branches_note", progress=fmt.fmt_pct(float(plan.time_progress.iloc[0]))))
        st.markdown(f"**{c.t('customers.branches.table')}**")
        ui.show_table(c, table, "branches", column_config=formats(table), key="branches_table")
        st.markdown(f"**{c.t('customers.branches.province')}**")
        ui.show_table(c, province, "branches_province", column_config=formats(province), key="branches_province")

# ---------------------------------------------------------------- trends as small multiples
if trends_tab.open:
    with trends_tab:
        trend = c.wh.query("pages/branches_trend", c.wh.period_params(c.period), comparison)
        trend["month"] = charts.month_labels(trend.month_start, c.lang)
        TRENDS = ["revenue", "groups", "members", "arpu", "member_churn_rate", "sla_resolve_compliance",
                  "star_fit_rate"]
        kpi = st.selectbox(c.t("customers.branches.trend_kpi"), TRENDS, format_func=lambda k: c.t(f"column.{k}"),
                           key="branches_trend_kpi")
        kind = KPIS[kpi][0]
        fig = px.line(trend, x="month", y=kpi, facet_col="branch_name", facet_col_wrap=4, markers=True,
                      labels={"month": "", kpi: c.t(f"column.{kpi}"), "branch_name": ""},
                      color_discrete_sequence=[palette.SERIES[0]])
        fig.update_traces(hovertemplate="%{x}<br>" + c.t(f"column.{kpi}") + ": " + HOVER[kind] + "<extra></extra>")
        fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
        # four small charts a row: a label a year (or a quarter), not every month turned on its side
        fig.update_xaxes(**charts.month_axis(trend.month_start, c.lang,
                                             every=12 if trend.month_start.nunique() > 12 else 3))
        if kind == "rate":
            fig.update_yaxes(tickformat=".0%")  # kam.app.charts gives it the decimals its span needs
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
            # One small chart per rate, each on its own scale: a change of −4 % and a compliance of 90 %
            # on one axis would make the small rates invisible. Branches in rows, the province in grey.
            cols = 3
            fig = make_subplots(rows=(len(RATES) + cols - 1) // cols, cols=cols, horizontal_spacing=0.12,
                                vertical_spacing=0.22, subplot_titles=[c.t(f"column.{k}") for k in RATES])
            colours = [palette.series(i) for i in range(len(side) - 1)] + [palette.NEUTRAL]
            for i, kpi in enumerate(RATES):
                values = [float(v) if pd.notna(v) else None for v in side[kpi]]
                fig.add_trace(go.Bar(x=values, y=side.branch_name, orientation="h", marker_color=colours,
                                     showlegend=False, hovertemplate="%{y}<br>" + c.t(f"column.{kpi}")
                                                                      + ": %{x:.2%}<extra></extra>"),
                              row=i // cols + 1, col=i % cols + 1)
            fig.update_xaxes(tickformat=".0%")  # kam.app.charts gives each the decimals its span needs
            fig.update_yaxes(autorange="reversed")  # the branches in the order picked, the province last
            fig.update_layout(height=170 * ((len(RATES) + cols - 1) // cols) + 40 + 14 * len(side),
                              margin={"t": 30, "b": 10})
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
        if picked_branch in options:  # the URL names the branch drilled into (a link, the back button)
            st.session_state["branches_drill_branch"] = picked_branch
        branch = st.selectbox(c.t("column.branch"), options, format_func=names.get,
                              key="branches_drill_branch", on_change=lambda: st.query_params.update(
                                  branch=st.session_state["branches_drill_branch"]))
        if branch != picked_branch:
            st.query_params["branch"] = branch
        row = report.set_index("branch_id").loc[branch] if branch in set(report.branch_id) else None
        if row is not None:
            # Each badge is the gap to the province in points ("+0.5 个百分点": short enough to show whole in a
            # fifth of the row, so "against the province" is said once, above), its arrow the gap's sign, its
            # colour good or bad for that KPI.
            st.caption(c.t("customers.vs_province"))
            for column, kpi in zip(st.columns(len(RATES)), RATES):
                gap = row[kpi] - total[kpi] if pd.notna(row[kpi]) and pd.notna(total[kpi]) else None
                ui.metric(c, column, ("▶ " if kpi == focus else "") + c.t(f"column.{kpi}"), shown(row[kpi], "rate"),
                          gap, delta_text=None if gap is None else c.t("customers.points",
                                                                        value=fmt.fmt_delta_points(gap)),
                          better="higher" if KPIS[kpi][1] else "lower")
                if kpi in TARGET:
                    below = targets.below_target[(targets.kpi == kpi) & (targets.branch_id == branch)].any()
                    verdict = "below" if below else ("met" if pd.notna(row[kpi]) else "none")
                    column.caption(c.t(f"customers.branches.target_{verdict}", value=shown(TARGET[kpi], "rate")))
        managers = ui.label_column(c.query("pages/branches_managers", {"branch": branch}), "employment",
                                   "employment", c.lang)
        groups = c.query("pages/branches_groups", {"branch": branch})
        # the county step between the branch and its managers, where the exports name counties (区县)
        counties = c.query("pages/branches_counties", {"branch": branch})
        if counties.empty:
            managers, groups = managers.drop(columns=["county"]), groups.drop(columns=["county"])
        else:
            st.markdown(f"**{c.t('targets.counties_of', branch=ui.plain(names[branch]))}**")
            ui.show_table(c, counties.fillna({"county": c.t("retention.no_county")}), f"branch_{branch}_counties",
                          key="branches_drill_counties")
            county = st.selectbox(c.t("column.county"), [None, *counties.county.dropna()], key="branches_drill_county",
                                  format_func=lambda k: c.t("retention.all_counties") if k is None else k)
            if county:
                managers, groups = managers[managers.county == county], groups[groups.county == county]
        st.markdown(f"**{c.t('customers.branches.managers_of', branch=ui.plain(names[branch]))}**")
        ui.drill_table(c, managers, f"branch_{branch}_managers", "manager_profile", column_config=formats(managers),
                       key="branches_drill_managers")
        st.markdown(f"**{c.t('customers.branches.groups_of', branch=ui.plain(names[branch]))}**")
        groups = ui.label_column(ui.label_column(groups, "class", "class", c.lang), "suggested_class", "class", c.lang)
        groups = groups[["profile", *[col for col in groups.columns if col != "profile"]]]
        # the groups behind the alert that opened the page first, marked; the rule stated above them
        if alert == "visit_below":
            groups = flag_first(groups, groups.visit_compliant.eq(False), "profile", "group_name", "visit_compliant")
            st.caption(c.t("customers.branches.groups_not_visited", n=int(groups.alert_flag.sum()),
                           target=shown(TARGET["visit_compliance"], "rate")))
        elif alert == "revenue_drop":
            groups = flag_first(groups, groups.revenue_dropped, "profile", "group_name", "drop_share")
            st.caption(c.t("customers.branches.groups_dropped", n=int(groups.alert_flag.sum()),
                           threshold=shown(c.wh.settings.alerts.revenue_drop, "rate")))
        ui.drill_table(c, groups, f"branch_{branch}_groups", "profile", column_config=formats(groups),
                       key="branches_drill_groups")

ui.definitions(c, "revenue", "revenue_mom", "arpu", "member_churn_rate", "visit_compliance",
               "sla_resolve_compliance", "star_fit_rate", "groups", "members", "rank", "province", "period_rollup",
               "target", "attainment", "time_progress")
