"""A/B/C distribution (客户分级): classes by branch, revenue concentration, suggested class and migration,
star fit, members' VIP tiers, industries and product penetration."""
import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from kam.app import palette, ui
from kam.app.fmt import fmt_count, fmt_number, fmt_pct, fmt_yuan_exact
from kam.figures.reports import run_report

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.classes"))
st.caption(c.t("customers.classes.caption", period=c.period.label))

RATES = ("groups_share", "revenue_share", "top20_share", "share_for_80", "star_fit_rate", "penetration",
         "share_in_class", "group_share", "cumulative_share", "active_revenue_share")
MONEY = ("revenue", "top20_revenue", "avg_revenue_3m", "cumulative_revenue", "active_revenue", "inactive_revenue")
# Figures over the groups active at the period's end only: their revenue is not the overview's revenue
# (which also counts groups that closed during the period), so it is labelled as theirs.
ACTIVE_ONLY = {"revenue": "active_revenue", "revenue_share": "active_revenue_share"}
CLASS_COLUMNS = ("class", "suggested_class")


def formats(frame) -> dict:
    return ui.column_formats(frame, rates=RATES, money=MONEY)


def table(frame: pd.DataFrame, name: str, **codes: str) -> None:
    """A table with its codes in words (class A → A类, plus any column=prefix given) and downloads."""
    for col in CLASS_COLUMNS:
        frame = ui.label_column(frame, col, "class", c.lang)
    for col, prefix in codes.items():
        frame = ui.label_column(frame, col, prefix, c.lang)
    if "profile" in frame:  # each group's row opens its profile
        ui.drill_table(c, frame, name, "profile", column_config=formats(frame), key=f"classes_{name}")
    else:
        ui.show_table(c, frame, name, column_config=formats(frame), key=f"classes_{name}")


def class_bars(frame: pd.DataFrame, by: str, value: str, key: str, money: bool = False) -> None:
    """Stacked bars by class, one row per branch / industry (names stay level and readable, however many);
    hover shows the exact value."""
    order = list(dict.fromkeys(frame[by]))
    fig = go.Figure()
    for cls in ("A", "B", "C"):
        part = frame[frame["class"] == cls]
        fig.add_trace(go.Bar(
            x=part[value].astype(float), y=part[by], orientation="h", name=c.t(f"class.{cls}"),
            marker_color=palette.CLASS[cls],
            hovertemplate="%{y} · " + c.t(f"class.{cls}") + "<br>" + c.t(f"column.{value}") + ": "
                          + ("¥%{x:,.2f}" if money else "%{x:,}") + "<extra></extra>"))
    fig.update_layout(barmode="stack", height=90 + 24 * len(order), margin={"t": 20, "b": 10},
                      legend={"orientation": "h", "traceorder": "normal"}, xaxis_title=c.t(f"column.{value}"),
                      yaxis={"categoryorder": "array", "categoryarray": order[::-1]})  # the first row on top
    ui.plot(c, fig, key)


VIEWS = {"distribution": "distribution", "pareto": "pareto", "upgrade": "suggested", "downgrade": "suggested",
         "suggested": "suggested", "migration": "migration", "misfits": "star_fit", "star_fit": "star_fit",
         "members": "members", "industry": "industry", "products": "products", "cross_sell": "products"}
view = st.query_params.get("view", "distribution")
alert = st.query_params.get("alert")  # the overview alert that opened the page: its rows marked and first
names = ["distribution", "pareto", "suggested", "migration", "star_fit", "members", "industry", "products"]
labels = {n: c.t(f"customers.classes.tab.{n}") for n in names}
st.session_state["classes_tab"] = labels[VIEWS.get(view, "distribution")]  # the URL's tab (a link, the back button)


def tab_to_url() -> None:
    st.query_params["view"] = next(n for n, label in labels.items() if label == st.session_state["classes_tab"])


tabs = dict(zip(names, st.tabs(list(labels.values()), default=labels[VIEWS.get(view, "distribution")],
                               key="classes_tab", on_change=tab_to_url)))

# ---------------------------------------------------------------- groups and revenue per branch × class
if tabs["distribution"].open:
    with tabs["distribution"]:
        report = run_report(c.wh, "classes", c.period, c.scope)
        mix = c.query("pages/classes_mix")
        left, right = st.columns(2)
        with left:
            class_bars(report, "branch_name", "groups", "classes_groups_chart")
        with right:
            class_bars(report, "branch_name", "revenue", "classes_revenue_chart", money=True)
        shares = ui.label_column(mix, "class", "class", c.lang)
        fig = go.Figure(go.Pie(labels=shares["class"], values=shares.revenue.astype(float), sort=False, hole=0.4,
                               marker={"colors": [palette.CLASS[k] for k in mix["class"]]},
                               hovertemplate="%{label}<br>" + c.t("column.revenue") + ": ¥%{value:,.2f}<br>"
                                             + c.t("column.revenue_share") + ": %{percent}<extra></extra>"))
        fig.update_layout(height=300, margin={"t": 20, "b": 10}, title=c.t("column.revenue_share"))
        ui.plot(c, fig, "classes_share_chart")
        table(mix, "class_mix")
        table(report, "classes")

# ---------------------------------------------------------------- revenue concentration (Pareto)
if tabs["pareto"].open:
    with tabs["pareto"]:
        row = run_report(c.wh, "pareto", c.period, c.scope).iloc[0]
        pareto = pd.Series({k: None if pd.isna(v) else float(v) for k, v in row.items()}, dtype=object)
        m1, m2, m3 = st.columns(3)
        ui.metric(c, m1, c.t("metric.top20_share.name"), fmt_pct(pareto.top20_share),
                  help=c.t("customers.classes.top_groups", n=fmt_count(pareto.top_groups, c.lang),
                           of=fmt_count(pareto.groups, c.lang)))
        ui.metric(c, m2, c.t("column.groups"), fmt_count(pareto.groups, c.lang))
        ui.metric(c, m3, c.t("metric.groups_for_80.name"), fmt_count(pareto.groups_for_80, c.lang),
                  help=c.t("customers.classes.share_for_80", share=fmt_pct(pareto.share_for_80)))
        # what is ranked against the revenue the other pages show
        st.caption(c.t("customers.classes.pareto_base", revenue=fmt_yuan_exact(pareto.revenue),
                       active=fmt_yuan_exact(pareto.active_revenue), groups=fmt_number(pareto.groups, c.lang, 0),
                       inactive=fmt_yuan_exact(pareto.inactive_revenue)))
        curve = c.query("pages/classes_pareto_curve")
        fig = go.Figure(go.Scatter(
            x=curve.group_share, y=curve.cumulative_share, mode="lines",
            customdata=curve[["rank_in_selection", "group_id", "group_name", "revenue"]],
            hovertemplate=c.t("customers.classes.curve_hover") + "<extra></extra>"))
        fig.add_hline(y=0.8, line_dash="dash", annotation_text="80%")
        fig.add_vline(x=0.2, line_dash="dot", annotation_text=c.t("customers.classes.top20_line",
                                                                   share=fmt_pct(pareto.top20_share)))
        fig.update_layout(height=360, margin={"t": 20, "b": 10}, xaxis_tickformat=".0%", yaxis_tickformat=".0%",
                          xaxis_title=c.t("column.group_share"), yaxis_title=c.t("column.cumulative_share"))
        ui.plot(c, fig, "classes_pareto_chart")
        table(pd.DataFrame([pareto]), "pareto")
        table(curve, "pareto_curve")

# ---------------------------------------------------------------- suggested against recorded class
if tabs["suggested"].open:
    with tabs["suggested"]:
        suggested = c.query("pages/classes_suggested")
        moves = ["upgrade", "downgrade", "keep"]
        counts = suggested.class_move.value_counts()
        for column, move in zip(st.columns(3), moves):
            ui.metric(c, column, c.t(f"customers.classes.move.{move}"), int(counts.get(move, 0)))
        move = st.segmented_control(c.t("customers.classes.list"), moves,
                                    default=view if view in moves else "upgrade",
                                    format_func=lambda m: c.t(f"customers.classes.move.{m}"), key="classes_move")
        rule = c.wh.settings.class_rule
        shown = ui.label_column(ui.label_column(suggested, "class", "class", c.lang), "class_move",
                                "customers.classes.move", c.lang)
        fig = px.strip(shown, x="class", y="avg_revenue_3m", color="class_move", hover_name="group_name",
                       category_orders={"class": [c.t(f"class.{k}") for k in "ABC"]},
                       color_discrete_map={c.t(f"customers.classes.move.{m}"): palette.CLASS_MOVE[m] for m in moves},
                       labels={"class": c.t("column.class"), "avg_revenue_3m": c.t("column.avg_revenue_3m"),
                               "class_move": c.t("column.class_move")})
        fig.update_traces(customdata=shown[["group_id"]], hovertemplate="%{hovertext} (%{customdata[0]})<br>"
                          + c.t("column.avg_revenue_3m") + ": ¥%{y:,.2f}<extra>%{fullData.name}</extra>")
        for threshold, cls in ((rule.a_min, "A"), (rule.b_min, "B")):
            fig.add_hline(y=threshold, line_dash="dash", annotation_text=c.t("customers.classes.threshold",
                                                                             cls=c.t(f"class.{cls}"),
                                                                             value=f"¥{threshold:,.0f}"))
        fig.update_layout(height=360, margin={"t": 20, "b": 10}, yaxis_type="log")
        ui.plot(c, fig, "classes_suggested_chart")
        picked = suggested[suggested.class_move == (move or "upgrade")]
        st.caption(c.t("customers.classes.rule", a=f"¥{rule.a_min:,.0f}", b=f"¥{rule.b_min:,.0f}", n=len(picked),
                       move=c.t(f"customers.classes.move.{move or 'upgrade'}")))
        table(picked, f"class_{move or 'upgrade'}", class_move="customers.classes.move")

# ---------------------------------------------------------------- class migration matrix
if tabs["migration"].open:
    with tabs["migration"]:
        matrix = c.query("pages/classes_migration")
        if matrix.empty:
            st.info(c.t("customers.classes.no_previous"))
        else:
            rows = [c.t(f"class.{k}") if k in "ABC" else c.t(f"customers.classes.{k}") for k in matrix.from_class]
            cols = [c.t("class.A"), c.t("class.B"), c.t("class.C"), c.t("customers.classes.churned")]
            values = matrix[["to_a", "to_b", "to_c", "to_churned"]].to_numpy().astype(float)
            # Most groups keep their class: on one colour scale with the moves, the diagonal would take the
            # whole scale and every move would look white. Kept classes are drawn grey with their count;
            # the colour scale runs over the moves only.
            kept = np.array([[str(f) == to for to in ("A", "B", "C", "churned")] for f in matrix.from_class])
            counts = np.vectorize(lambda v: f"{v:,.0f}")(values)
            moved = np.where(kept, np.nan, values)
            hover = c.t("customers.classes.migration_hover") + "<extra></extra>"
            fig = go.Figure([
                go.Heatmap(z=np.where(kept, 1.0, np.nan), x=cols, y=rows, text=np.where(kept, counts, ""),
                           texttemplate="%{text}", colorscale=[[0, palette.MUTED], [1, palette.MUTED]],
                           showscale=False, hoverongaps=False, hovertemplate=hover),
                go.Heatmap(z=moved, x=cols, y=rows, text=np.where(kept, "", counts), texttemplate="%{text}",
                           colorscale=palette.SEQUENTIAL, zmin=0, zmax=max(float(np.nanmax(moved, initial=0)), 1),
                           showscale=False, hoverongaps=False, hovertemplate=hover)])
            fig.update_layout(height=320, margin={"t": 20, "b": 10}, yaxis_autorange="reversed",
                              xaxis_title=c.t("customers.classes.now"), yaxis_title=c.t("customers.classes.before"))
            ui.plot(c, fig, "classes_migration_chart")
            table(matrix, "migration", from_class="customers.classes.state")

# ---------------------------------------------------------------- star fit and its misfits
if tabs["star_fit"].open:
    with tabs["star_fit"]:
        fit = c.query("pages/classes_star_fit")
        for column, r in zip(st.columns(3), fit.to_dict("records")):
            ui.metric(c, column, c.t(f"class.{r['class']}"), fmt_pct(r["star_fit_rate"]),
                      help=c.t("customers.classes.fit_help", fitting=r["fitting_groups"],
                               managed=r["with_manager"], unassigned=r["unassigned_groups"]))
        fig = go.Figure([go.Bar(x=[c.t(f"class.{k}") for k in fit["class"]], y=fit[col], name=c.t(f"column.{col}"),
                                marker_color=colour,
                                hovertemplate="%{x}<br>" + c.t(f"column.{col}") + ": %{y:,}<extra></extra>")
                         for col, colour in (("fitting_groups", palette.GOOD), ("misfit_groups", palette.BAD),
                                             ("unassigned_groups", palette.CAUTION))])
        fig.update_layout(barmode="stack", height=300, margin={"t": 20, "b": 10}, legend={"orientation": "h"})
        ui.plot(c, fig, "classes_star_fit_chart")
        table(fit, "star_fit")
        st.markdown(f"**{c.t('customers.classes.misfits')}**")
        misfits = c.query("pages/classes_misfits")
        st.caption(c.t("customers.classes.star_rule"))
        if alert in ("a_unassigned", "star_misfit"):  # the alert's groups first, ticked
            flags = misfits.pop("alert").eq(alert)
            misfits = misfits.assign(alert_flag=flags)[["alert_flag", *misfits.columns]]
            misfits = misfits.sort_values("alert_flag", ascending=False, kind="stable")
            st.warning(c.t(f"customers.classes.alert_{alert}", n=int(flags.sum())), icon=":material/warning:")
        table(misfits.drop(columns="alert", errors="ignore"), "misfits", fit_issue="customers.classes.fit_issue")

# ---------------------------------------------------------------- members' VIP tiers
if tabs["members"].open:
    with tabs["members"]:
        vip = c.query("pages/classes_vip_mix")
        shown = ui.label_column(ui.label_column(vip, "class", "class", c.lang), "vip_tier", "vip_tier", c.lang)
        fig = px.bar(shown, x="class", y="members", color="vip_tier", barmode="stack",
                     color_discrete_map={c.t(f"vip_tier.{k}"): v for k, v in palette.VIP_TIER.items()},
                     category_orders={"vip_tier": [c.t(f"vip_tier.{k}") for k in palette.VIP_TIER]},
                     labels={"class": c.t("column.class"), "members": c.t("column.members"),
                             "vip_tier": c.t("column.vip_tier")})
        fig.update_traces(hovertemplate="%{x} · %{fullData.name}<br>" + c.t("column.members") + ": %{y:,}"
                                        "<extra></extra>")
        fig.update_layout(height=320, margin={"t": 20, "b": 10})
        ui.plot(c, fig, "classes_vip_chart")
        table(vip, "vip_mix", vip_tier="vip_tier")

# ---------------------------------------------------------------- industry and sector
if tabs["industry"].open:
    with tabs["industry"]:
        industry = c.query("pages/classes_industry").rename(columns=ACTIVE_ONLY)
        industry["industry"] = industry.industry.fillna(c.t("customers.classes.not_given"))
        class_bars(industry, "industry", "groups", "classes_industry_chart")
        table(industry, "industry")
        sector = c.query("pages/classes_sector").rename(columns=ACTIVE_ONLY)
        sector = ui.label_column(sector, "sector", "sector", c.lang)
        sector["sector"] = sector.sector.fillna(c.t("customers.classes.not_given"))
        class_bars(sector, "sector", "active_revenue", "classes_sector_chart", money=True)
        table(sector, "sector")

# ---------------------------------------------------------------- product penetration and cross-sell gaps
if tabs["products"].open:
    with tabs["products"]:
        pen = c.query("pages/classes_penetration")
        grid = pen.pivot(index="class", columns="fee_item", values="penetration")
        fig = go.Figure(go.Heatmap(
            z=grid.to_numpy(), x=[c.t(f"fee_item.{f}") for f in grid.columns],
            y=[c.t(f"class.{k}") for k in grid.index], colorscale=palette.SEQUENTIAL_GOOD, texttemplate="%{text}",
            text=[[fmt_pct(float(v)) for v in row] for row in grid.to_numpy()],
            hovertemplate="%{y} · %{x}<br>" + c.t("column.penetration") + ": %{z:.2%}<extra></extra>"))
        fig.update_layout(height=280, margin={"t": 20, "b": 10}, yaxis_autorange="reversed")
        ui.plot(c, fig, "classes_penetration_chart")
        table(pen, "penetration", fee_item="fee_item")
        st.markdown(f"**{c.t('customers.classes.cross_sell')}**")
        g1, g2 = st.columns(2)
        gap_class = g1.selectbox(c.t("column.class"), ["A", "B", "C"], format_func=lambda k: c.t(f"class.{k}"),
                                 key="classes_gap_class")
        items = sorted(pen.fee_item.unique())
        gap_product = g2.selectbox(c.t("column.fee_item"), items, format_func=lambda f: c.t(f"fee_item.{f}"),
                                   index=items.index("line") if "line" in items else 0, key="classes_gap_product")
        gaps = c.query("pages/classes_cross_sell", {"gap_class": gap_class, "gap_product": gap_product})
        st.caption(c.t("customers.classes.gaps", n=len(gaps), cls=c.t(f"class.{gap_class}"),
                       product=c.t(f"fee_item.{gap_product}")))
        table(gaps, f"cross_sell_{gap_class}_{gap_product}")

ui.definitions(c, "groups", "revenue", "active_revenue", "revenue_share", "top20_share", "pareto_curve",
               "groups_for_80", "suggested_class", "class_move", "class_migration", "star_fit_rate", "vip_mix", "industry_mix",
               "penetration", "cross_sell_gap")
