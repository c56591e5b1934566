"""Turnover (客户经理变动与客户忠诚): managers who left and where their groups went; member churn and
revenue in the six months after a change of manager against groups without one."""
import plotly.graph_objects as go
import streamlit as st

from kam.app import palette, ui
from kam.app.fmt import fmt_delta_pct, fmt_pct

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.turnover"))
st.caption(c.t("managers.turnover.caption", period=c.period.label))

departures_tab, effect_tab = st.tabs([c.t("managers.turnover.tab_departures"), c.t("managers.turnover.tab_effect")])

# ---------------------------------------------------------------- who left, where their groups went
with departures_tab:
    flows = c.query("pages/turnover_flows")
    if flows.empty:
        st.info(c.t("managers.turnover.no_departures"))
    else:
        # Sankey: each leaver on the left, the next manager (or what happened) on the right.
        leavers = (flows.manager_name + " (" + flows.manager_id + ")").tolist()
        targets = [f"{n} ({m})" if isinstance(m, str) else c.t(f"managers.outcome.{o}")
                   for n, m, o in zip(flows.next_manager_name, flows.next_manager_id, flows.outcome)]
        nodes = list(dict.fromkeys(leavers + targets))
        fig = go.Figure(go.Sankey(
            node={"label": nodes, "pad": 12},
            link={"source": [nodes.index(x) for x in leavers], "target": [nodes.index(x) for x in targets],
                  "value": flows.groups.tolist(),
                  "hovertemplate": "%{source.label} → %{target.label}: %{value} "
                                   + c.t("managers.turnover.groups_unit") + "<extra></extra>"}))
        fig.update_layout(height=max(300, 26 * len(nodes)), margin={"t": 20, "b": 10})
        ui.plot(c, fig, "turnover_flows_chart")
    departures = c.query("pages/turnover_departures")
    departures = ui.label_column(ui.label_column(departures, "outcome", "managers.outcome", c.lang),
                                 "employment", "employment", c.lang)
    departures = ui.label_column(departures, "class", "class", c.lang)
    departures.insert(0, "profile_link", "/manager_profile?manager=" + departures.pop("manager_id"))
    ui.drill_table(c, departures, "turnover_departures", "profile_link", key="turnover_departures", dataset="managers")

# ---------------------------------------------------------------- does a change of manager cost customers?
with effect_tab:
    effect = c.query("pages/turnover_effect")
    if effect.empty:
        st.info(c.t("managers.turnover.no_windows"))
    else:
        classes = [c.t(f"class.{k}") if k != "all" else c.t("managers.turnover.all_classes")
                   for k in effect["class"]]
        effect = effect.assign(class_label=classes)
        left, right = st.columns(2)
        for column, box, formatter in (("member_churn_6m", left, fmt_pct), ("revenue_change", right, fmt_delta_pct)):
            fig = go.Figure()
            for cohort in ("changed", "unchanged"):
                rows = effect[effect.cohort == cohort]
                name = c.t(f"managers.cohort.{cohort}")
                fig.add_trace(go.Bar(
                    x=rows.class_label, y=rows[column], name=name, marker_color=palette.COHORT[cohort],
                    customdata=list(zip(rows[column].map(formatter), rows.windows)),
                    hovertemplate="%{x} · " + name + "<br>" + c.t(f"column.{column}") + ": %{customdata[0]}<br>"
                                  + c.t("column.windows") + ": %{customdata[1]}<extra></extra>"))
            fig.update_layout(height=340, margin={"t": 40, "b": 10}, barmode="group", title=c.t(f"column.{column}"),
                              yaxis_tickformat=".1%", legend={"orientation": "h"})
            ui.plot(c, fig, f"turnover_{column}_chart", where=box)
        table = ui.label_column(effect.drop(columns=["class_label"]), "cohort", "managers.cohort", c.lang)
        table["class"] = classes
        # revenue_change here is after ÷ before − 1, a rate (on the overview it is a yuan amount)
        ui.show_table(c, table.rename(columns={"revenue_change": "revenue_change_rate"}), "turnover_effect",
                      key="turnover_effect", dataset="turnover")

ui.definitions(c, "manager_departure", "turnover_effect", "member_churn_rate")
