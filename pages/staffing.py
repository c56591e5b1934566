"""Staffing (人员配备): managers needed by branch × class, a calculator, what-if scenarios, rebalancing."""
import plotly.graph_objects as go
import streamlit as st

from kam.planning import scenarios, staffing as sf
from kam.app import palette, ui
from kam.app.fmt import DASH, fmt_delta_number
from kam.planning.rebalance import propose
from kam.figures.settings import CLASSES, SettingsError

GAP_TONE = {sf.GAP_SHORT: "bad", sf.GAP_WITHIN: "good", sf.GAP_SURPLUS: "warn"}  # ui.metric note tones

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.staffing"))
settings = c.wh.settings
base = sf.load_base(c.wh, c.period, c.scope)


def number_format(columns, fmt):
    """column_config for ui.show_table, which shows the columns under their translated headers."""
    return {c.t(f"column.{k}"): st.column_config.NumberColumn(format=fmt) for k in columns}


def labelled(frame):
    """Codes in words: the class and every gap status column."""
    frame = ui.label_column(frame, "class", "class", c.lang)
    for column in ("gap", "base_gap", "scenario_gap"):
        frame = ui.label_column(frame, column, "gap", c.lang)
    return frame


def needed_chart(frame):
    """For one class: current managers per branch as bars (coloured by the gap), the needed range as an I-beam."""
    needed, current = c.t("planning.needed"), c.t("column.current")
    mid = (frame.required_low + frame.required_high) / 2
    # One trace per gap status, so the legend names each colour the bars use (缺编 / 合理 / 超编).
    bars = []
    for status in (sf.GAP_SHORT, sf.GAP_WITHIN, sf.GAP_SURPLUS):
        part = frame[frame.gap == status]
        if part.empty:
            continue
        bars.append(go.Bar(
            x=part.branch_name, y=part.current, name=f"{current} · {c.t(f'gap.{status}')}",
            marker_color=palette.GAP[status], customdata=list(zip(part.required_low, part.required_high)),
            hovertemplate="%{x}<br>" + current + ": %{y}<br>" + needed + ": %{customdata[0]}–%{customdata[1]}<br>"
                          + c.t(f"gap.{status}") + "<extra></extra>"))
    fig = go.Figure([
        *bars,
        go.Scatter(x=frame.branch_name, y=mid, mode="markers", name=needed,
                   marker={"symbol": "line-ew", "size": 14, "line": {"width": 2, "color": palette.REFERENCE},
                           "color": palette.REFERENCE},  # a dash: the I-beam's middle, and its legend sign
                   error_y={"type": "data", "symmetric": False, "array": frame.required_high - mid,
                            "arrayminus": mid - frame.required_low, "width": 14, "thickness": 2,
                            "color": palette.REFERENCE},
                   customdata=frame[["required_low", "required_high"]],
                   hovertemplate="%{x}<br>" + needed + ": %{customdata[0]}–%{customdata[1]}<extra></extra>")])
    fig.update_layout(height=340, margin={"t": 20}, yaxis_title=c.t("planning.managers"), barmode="overlay",
                      legend={"orientation": "h"},
                      xaxis={"categoryorder": "array", "categoryarray": list(frame.branch_name)})
    return fig


# Keyed and tracked, so a rerun (opening or saving a scenario, a lever) stays on the tab the planner is on.
now_tab, calc_tab, whatif_tab, rebalance_tab = st.tabs(
    [c.t("planning.tab_now"), c.t("planning.tab_calculator"), c.t("planning.tab_whatif"),
     c.t("planning.tab_rebalance")])

# ---------------------------------------------------------------- today: the `kam report staffing` table
with now_tab:
    total = c.query("pages/staffing_total")
    cols = st.columns(len(total))
    for col, row in zip(cols, total.to_dict("records")):
        worst = sf.GAP_SHORT if row["short_managers"] else sf.GAP_SURPLUS if row["surplus_managers"] else sf.GAP_WITHIN
        ui.metric(c, col, c.t(f"star.{row['star_level']}"), f"{row['required_low']}–{row['required_high']}",
                  note=c.t("planning.current_is", n=row["current"], short=row["short_managers"],
                           surplus=row["surplus_managers"]),
                  tone=GAP_TONE[worst], help=c.t("planning.total_help"), border=False)
    shown_class = st.segmented_control(c.t("column.class"), CLASSES, format_func=lambda k: c.t(f"class.{k}"),
                                       default="A", key="staffing_chart_class") or "A"
    ui.plot(c, needed_chart(base.report[base.report["class"] == shown_class]), "staffing_now_chart")
    ui.show_table(c, labelled(base.report), "staffing", key="staffing_table")
    st.markdown(f"**{c.t('planning.province_total')}**")
    ui.show_table(c, labelled(total), "staffing_total", key="staffing_total_table")

# ---------------------------------------------------------------- calculator
with calc_tab:
    left, middle, right = st.columns(3)
    groups = left.number_input(c.t("planning.calc_groups"), min_value=0, value=412, step=1, key="staffing_calc_groups")
    members = middle.number_input(c.t("planning.calc_members"), min_value=0.0, value=210.0, step=1.0,
                                  key="staffing_calc_members")
    cls = right.selectbox(c.t("column.class"), CLASSES, format_func=lambda k: c.t(f"class.{k}"),
                          key="staffing_calc_class")
    result = sf.calculate(groups, members, cls, settings)
    one, two = st.columns(2)
    ui.metric(c, one, c.t("planning.calc_capacity"), f"{result['capacity_low']:g}–{result['capacity_high']:g}",
              border=False)
    ui.metric(c, two, c.t("planning.calc_needed", star=c.t(f"star.{result['star_level']}")),
              f"{result['required_low']}–{result['required_high']}", border=False)
    if groups:
        st.caption(c.t("planning.calc_working", n=groups, high=result["capacity_high"], low=result["capacity_low"],
                       a=round(groups / result["capacity_high"], 2), b=round(groups / result["capacity_low"], 2),
                       lo=result["required_low"], hi=result["required_high"]))

# ---------------------------------------------------------------- what-if scenarios


def show_levers(levers) -> None:
    """Put a scenario's levers into the widgets (editors get fresh keys so they show the new frames)."""
    levers = levers if isinstance(levers, sf.Levers) else sf.Levers.from_dict(levers, settings)
    st.session_state.update(sf.widget_values(levers))
    st.session_state["staffing_moves_base"] = sf.moves_frame(levers)
    st.session_state["staffing_capacity_base"] = sf.capacity_frame(settings, levers.capacity_bands)
    st.session_state["staffing_editors"] = st.session_state.get("staffing_editors", 0) + 1


def side_by_side(levers: sf.Levers) -> None:
    """The current levers, the settings' defaults and any saved scenarios, next to each other: their levers,
    and per star level the managers each needs against those in post."""
    st.subheader(c.t("planning.side_by_side"))
    saved = {s.name: s for s in scenarios.list_scenarios(c.wh.folder, "staffing")}
    picked = st.multiselect(c.t("planning.pick_scenarios"), list(saved), key="staffing_side_by_side",
                            placeholder=c.t("planning.pick_scenarios_hint"))
    named = {c.t("planning.base_scenario"): sf.Levers.defaults(settings), c.t("planning.current_scenario"): levers}
    unusable = []
    for name in picked:
        try:
            named[name if name not in named else f"{name} ({saved[name].file})"] = \
                sf.Levers.from_dict(saved[name].levers, settings)
        except (ValueError, TypeError):  # a file edited by hand
            unusable.append(name)
    if unusable:
        st.warning(c.t("planning.unusable_scenarios", names=c.t("planning.list_sep").join(map(ui.plain, unusable))))
    try:
        staffing = sf.side_by_side(base, named, settings)
    except (sf.LeverError, SettingsError) as exc:
        st.error(c.t("planning.bad_lever", error=exc.in_language(c.lang) if isinstance(exc, sf.LeverError)
                     else str(exc)))
        return
    table = sf.lever_table(named, settings)
    table["moves"] = table["moves"].map(lambda moves: c.t("planning.list_sep").join(
        f"{c.t(f'class.{k[0]}')}→{c.t(f'class.{k[-1]}')} {share:.0%}" for k, share in moves.items())
        or c.t("planning.no_moves"))
    st.markdown(f"**{c.t('planning.side_levers')}**")
    ui.show_table(c, table, "staffing_side_levers", key="staffing_side_levers_table",
                  column_config=number_format(["growth_A", "growth_B", "growth_C", "member_growth",
                                               "attrition_per_year"], "percent")
                  | number_format(["visits_A", "visits_B", "visits_C"], "%.1f"))
    st.markdown(f"**{c.t('planning.side_staffing')}**")
    shown = staffing.assign(star_level=staffing.star_level.map(lambda s: c.t(f"star.{s}")))
    # As on the first tab: managers in post as a bar, each scenario's needed range as an I-beam beside it.
    in_post = shown.drop_duplicates("star_level")
    fig = go.Figure(go.Bar(x=in_post.star_level, y=in_post.current, name=c.t("column.current"),
                           marker_color=palette.NEUTRAL,
                           hovertemplate="%{x}<br>" + c.t("column.current") + ": %{y}<extra></extra>"))
    scenario_colours = palette.SERIES
    for i, (name, rows) in enumerate(shown.groupby("scenario", sort=False)):
        mid = (rows.required_low + rows.required_high) / 2
        colour = scenario_colours[i % len(scenario_colours)]  # one colour for the I-beam and its mark in the legend
        fig.add_scatter(x=rows.star_level, y=mid, mode="markers", name=name,
                        marker={"symbol": "line-ew", "size": 12, "line": {"width": 3, "color": colour}},
                        error_y={"type": "data", "symmetric": False, "array": rows.required_high - mid,
                                 "arrayminus": mid - rows.required_low, "width": 10, "thickness": 3,
                                 "color": colour},
                        customdata=rows[["required_low", "required_high"]],
                        hovertemplate=name + "<br>%{x}<br>" + c.t("planning.needed")
                                      + ": %{customdata[0]}–%{customdata[1]}<extra></extra>")
    ui.plot(c, fig.update_layout(scattermode="group", height=320, margin={"t": 20},
                                 yaxis_title=c.t("planning.managers")), "staffing_side_chart")
    ui.show_table(c, shown, "staffing_side_by_side", key="staffing_side_by_side_table",
                  height=36 * (len(shown) + 1) + 3)  # every row in view: the point is to read them together


if "staffing_moves_base" not in st.session_state:
    show_levers(sf.Levers.defaults(settings))
else:
    # Streamlit drops a widget's state when a run does not draw it (the planner opened another page), and
    # a lever box without state shows its minimum: −100 % growth, a one-month horizon. Put back what the
    # planner last saw instead (kept under plain keys, which Streamlit leaves alone).
    for key, value in st.session_state.get("staffing_levers_seen", {}).items():
        st.session_state.setdefault(key, value)
    # The editors lose their edits the same way; start them again from the frames last seen, unless they
    # were replaced since (a scenario opened: a new version of the editors).
    version, moves_seen, capacity_seen = st.session_state.get("staffing_editors_seen", (None, None, None))
    if version == st.session_state["staffing_editors"] and f"staffing_moves_{version}" not in st.session_state:
        st.session_state["staffing_moves_base"], st.session_state["staffing_capacity_base"] = moves_seen, capacity_seen
        st.session_state["staffing_editors"] += 1

with whatif_tab:
    scenarios.picker(c, "staffing", show_levers, sf.Levers.defaults(settings))
    st.markdown(f"**{c.t('planning.levers')}**")
    percent = {"min_value": -100.0, "step": 5.0, "format": "%.1f"}
    levers_grid = [[(f"staffing_growth_{k}", c.t("planning.group_growth", cls=c.t(f"class.{k}")), percent)
                    for k in CLASSES] + [("staffing_member_growth", c.t("planning.member_growth"), percent)],
                   [(f"staffing_visits_{k}", c.t("planning.visits", cls=c.t(f"class.{k}")),
                     {"min_value": 0.5, "step": 1.0, "format": "%.1f"}) for k in CLASSES]
                   + [("staffing_attrition", c.t("planning.attrition"),
                       percent | {"min_value": 0.0, "max_value": 100.0})],
                   [("staffing_months_to_hire", c.t("planning.months_to_hire"), {"min_value": 0, "step": 1}),
                    ("staffing_horizon", c.t("planning.horizon"), {"min_value": 1, "step": 1})]]
    for row in levers_grid:
        for col, (key, text, options) in zip(st.columns(4), row):
            col.number_input(text, key=key, **options)
    version = st.session_state["staffing_editors"]
    with st.expander(c.t("planning.moves"), icon=":material/swap_vert:"):
        st.checkbox(c.t("planning.apply_suggested"), key="staffing_apply_suggested")
        st.caption(c.t("planning.moves_help"))
        moves = st.data_editor(st.session_state["staffing_moves_base"], key=f"staffing_moves_{version}",
                               column_config={k: st.column_config.NumberColumn(c.t(f"class.{k}"), min_value=0,
                                                                               max_value=100, format="%.0f%%")
                                              for k in CLASSES}, placeholder=DASH)
    with st.expander(c.t("planning.capacity_table"), icon=":material/table_edit:"):
        st.caption(c.t("planning.capacity_help"))
        capacity = st.data_editor(st.session_state["staffing_capacity_base"], key=f"staffing_capacity_{version}",
                                  hide_index=True, num_rows="dynamic", placeholder=DASH,
                                  column_config={k: c.t(f"planning.capacity_col.{k}") for k in sf.CAPACITY_COLUMNS})
    st.session_state["staffing_levers_seen"] = {key: st.session_state[key] for key in sf.widget_values(
        sf.Levers.defaults(settings))}  # plain keys: kept when widget state is not
    st.session_state["staffing_editors_seen"] = (version, moves, capacity)
    try:
        levers = sf.levers_from_widgets(st.session_state, moves, capacity, settings)
        base_case = sf.project(base, sf.Levers.defaults(settings), settings)
        scenario = sf.project(base, levers, settings)
    except (sf.LeverError, SettingsError) as exc:
        reason = exc.in_language(c.lang) if isinstance(exc, sf.LeverError) else str(exc)
        st.error(c.t("planning.bad_lever", error=reason))
        levers = None
    if levers is not None:
        st.markdown(f"**{c.t('planning.compare')}**")
        before, after = sf.totals(base_case), sf.totals(scenario)
        change = {}
        for col, (label, better) in zip(st.columns(5), [
                ("required_low", "neutral"), ("required_high", "neutral"), ("short_managers", "lower"),
                ("surplus_managers", "neutral"), ("hires", "lower")]):
            value, was = int(after[label].sum()), int(before[label].sum())
            change[label] = (was, value)
            ui.metric(c, col, c.t(f"planning.metric.{label}"), value, (value - was) or None, better=better,
                      delta_text=fmt_delta_number(value - was), help=c.t("planning.base_was", n=was), border=False)
        (low_was, low_now), (short_was, short_now) = change["required_low"], change["short_managers"]
        if low_now > low_was and short_now == short_was:
            # More managers needed but nobody more short: the growth lands where managers are to spare.
            surplus_was, surplus_now = change["surplus_managers"]
            st.caption(c.t("planning.growth_absorbed", low_was=low_was, low_now=low_now,
                           surplus_was=surplus_was, surplus_now=surplus_now))
        compared = sf.compare(base_case, scenario)
        changed = compared[compared.changed]
        if changed.empty:
            st.info(c.t("planning.no_change"))
        else:
            delta = changed.delta_required_high
            bar = go.Bar(x=[changed.branch_name.tolist(), changed["class"].map(lambda k: c.t(f"class.{k}")).tolist()],
                         y=delta, customdata=changed[["base_required_high", "scenario_required_high"]],
                         marker_color=[palette.good_or_bad(d, higher_is_better=False) for d in delta],
                         hovertemplate="%{x}<br>" + c.t("planning.base") + ": %{customdata[0]}<br>"
                                       + c.t("planning.scenario") + ": %{customdata[1]}<br>Δ %{y:+d}<extra></extra>")
            ui.plot(c, go.Figure(bar).update_layout(height=300, margin={"t": 20},
                                                    yaxis_title=c.t("column.delta_required_high")),
                    "staffing_delta_chart")
        if not changed.empty and st.toggle(c.t("planning.only_changed"), value=True, key="staffing_only_changed"):
            compared = changed
        ui.show_table(c, labelled(compared.drop(columns=["changed"])), "staffing_compare",
                      key="staffing_compare_table",
                      column_config=number_format([f"delta_{k}" for k in sf.COMPARED], "%+d"))
        with st.expander(c.t("planning.scenario_detail")):
            ui.show_table(c, labelled(scenario), "staffing_scenario", key="staffing_scenario_table")
        scenarios.saver(c, "staffing", levers.to_dict())
        side_by_side(levers)

# ---------------------------------------------------------------- rebalancing
with rebalance_tab:
    st.caption(c.t("planning.rebalance_help"))
    token = (c.period.label, c.scope.branches, c.wh.version)
    st.button(c.t("planning.rebalance_run"), key="staffing_rebalance_run", icon=":material/balance:",
              on_click=st.session_state.update, args=({"staffing_rebalance_asked": True},))
    if st.session_state.pop("staffing_rebalance_asked", False):
        with st.spinner(c.t("planning.rebalance_running")):
            proposal = propose(c.query("pages/staffing_book"), c.query("pages/staffing_managers"))
        st.session_state["staffing_rebalance"] = (token, proposal)
    kept = st.session_state.get("staffing_rebalance")
    if kept and kept[0] == token:
        proposal = kept[1]
        for col, (text, value) in zip(st.columns(4), [
                ("moves_count", proposal.moved), ("unresolved", proposal.unresolved),
                ("over_before", int((proposal.workload.load_before > 1).sum())),
                ("over_after", int((proposal.workload.load_after > 1).sum()))]):
            ui.metric(c, col, c.t(f"planning.{text}"), value, border=False)
        if not proposal.optimal:
            st.warning(c.t("planning.not_optimal"))
        moves = ui.label_column(ui.label_column(proposal.moves, "reason", "planning.reason", c.lang),
                                "class", "class", c.lang)
        moves.insert(0, "profile", "/group_profile?group=" + moves.group_id.astype(str))  # first: opens the group
        ui.drill_table(c, moves, "rebalance_moves", "profile", key="staffing_moves_table",
                       column_config=ui.column_formats(moves))
        # How managers' loads are spread before and after: the tail beyond 100 % is what the proposal removes.
        fig = go.Figure([go.Histogram(x=proposal.workload[col], name=c.t(f"column.{col}"), opacity=0.6,
                                      xbins={"start": 0, "size": 0.1}, marker_color=colour,
                                      hovertemplate="%{x}: %{y}<extra>" + c.t(f"column.{col}") + "</extra>")
                         for col, colour in (("load_before", palette.NEUTRAL), ("load_after", palette.SERIES[0]))])
        fig.add_vline(x=1, line_dash="dot")
        ui.plot(c, fig.update_layout(barmode="overlay", height=300, margin={"t": 20},
                                     xaxis_tickformat=".0%", xaxis_title=c.t("metric.staffing_load.name"),
                                     yaxis_title=c.t("planning.managers")), "staffing_load_chart")
        ui.show_table(c, proposal.workload, "rebalance_workload", key="staffing_workload_table",
                      column_config=number_format(["load_before", "load_after"], "percent"))

ui.definitions(c, "required", "gap", "staffing_capacity", "staffing_current", "staffing_whatif",
               "staffing_hires", "staffing_rebalance", "staffing_load")
