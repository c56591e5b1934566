"""Management-model matrix (管理模式评分): weights and scores, the recommendation, its robustness, branches."""
import plotly.graph_objects as go
import streamlit as st

from kam.planning import model_matrix as mx, scenarios
from kam.app import palette, ui
from kam.app.fmt import column_kind, fmt_decimal, fmt_delta_number, fmt_kind
from kam.figures.settings import MODELS

c = ui.ctx()
ui.require_data(c)
st.title(c.t("page.model_matrix"))
mm = c.wh.settings.model_matrix
base_frame = mx.matrix_frame(mm)
model_name = {m: c.t(f"model.{m}") for m in MODELS}


def show_matrix(frame) -> None:
    st.session_state["model_matrix_base"] = frame
    st.session_state["model_matrix_editors"] = st.session_state.get("model_matrix_editors", 0) + 1


def number_format(columns, fmt):
    """column_config for ui.show_table, which shows the columns under their translated headers."""
    return {c.t(f"column.{k}"): st.column_config.NumberColumn(format=fmt) for k in columns}


def labelled(frame):
    frame = frame.copy()
    if "variable" in frame:
        frame["variable"] = frame["variable"].map(lambda k: c.t(f"model_var.{k}"))
    for column in ("recommended_model", "current_model", "lower_model", "upper_model", "base_recommended",
                   "scenario_recommended"):
        if column in frame:
            frame[column] = frame[column].map(lambda m: model_name.get(m, m))
    if "strategy" in frame:
        frame["strategy"] = frame["strategy"].map(lambda s: c.t(f"strategy.{s}") if isinstance(s, str) else s)
    return frame


if "model_matrix_base" not in st.session_state:
    show_matrix(base_frame)

# ---------------------------------------------------------------- the matrix, editable
scenarios.picker(c, "model", lambda levers: show_matrix(mx.apply_levers(base_frame, levers)), {})
st.caption(c.t("planning.matrix_help"))
score = {m: st.column_config.NumberColumn(model_name[m], min_value=1, max_value=5, step=0.5) for m in MODELS}
shown = st.session_state["model_matrix_base"]
shown = shown.assign(name=shown.variable.map(lambda k: c.t(f"model_var.{k}")))[["name", "weight", *MODELS, "variable"]]
edited = st.data_editor(
    shown, hide_index=True, disabled=["name"], key=f"model_matrix_editor_{st.session_state['model_matrix_editors']}",
    column_config={"name": st.column_config.TextColumn(c.t("column.variable")), "variable": None,
                   "weight": st.column_config.NumberColumn(c.t("column.weight"), min_value=0.0, max_value=1.0,
                                                           step=0.05, format="%.2f"), **score})
edited = edited.drop(columns=["name"])
problems = mx.check(edited)
if problems:
    st.error(c.t("planning.model_bad", keys=", ".join(problems)))
    st.stop()
weight_sum = float(edited.weight.sum())
if abs(weight_sum - 1) > 1e-6:
    st.warning(c.t("planning.weights_rescaled", total=round(weight_sum, 4)))

# ---------------------------------------------------------------- totals and the recommendation
totals = mx.totals(edited)
best = mx.recommended(totals)
base_totals = mx.totals(base_frame)
cols = st.columns(len(MODELS))
for col, m in zip(cols, MODELS):
    moved = round(totals[m] - base_totals[m], 4) or None  # against the settings' matrix: neither good nor bad
    ui.metric(c, col, model_name[m], fmt_decimal(totals[m]), moved, delta_text=fmt_delta_number(moved, 2),
              better="neutral", help=c.t("planning.base_was", n=fmt_decimal(base_totals[m])), border=False)
st.success(c.t("planning.model_recommended", model=model_name[best], strategy=c.t(f"strategy.{mm.strategy[best]}")))
# The branches below can come out differently under the same weights: there, every measurable variable
# takes the score its branch's measured value suggests, instead of the score typed in the matrix.
indicators = mx.indicators(c.wh, c.period, c.scope)
branches = mx.branch_recommendations(indicators, edited, mm)
by_model = branches.recommended_model.value_counts()
counts = c.t("planning.list_sep").join(f"{model_name[m]} {int(by_model[m])}" for m in MODELS if m in by_model)
st.caption(c.t("planning.model_why_branches_differ", n=len(branches), counts=counts))
base_best = mx.recommended(base_totals)
if base_best != best:
    st.info(c.t("planning.model_changed", base=model_name[base_best]))
fig = go.Figure(go.Bar(x=[model_name[m] for m in MODELS], y=[totals[m] for m in MODELS],
                       marker_color=[palette.SERIES[0] if m == best else palette.MUTED for m in MODELS],
                       hovertemplate="%{x}: %{y:.4f}<extra></extra>"))
ui.plot(c, fig.update_layout(height=280, margin={"t": 20}, yaxis_range=[0, 5],
                             yaxis_title=c.t("metric.model_total.name")), "model_matrix_chart")

# ---------------------------------------------------------------- sensitivity
st.subheader(c.t("metric.sensitivity.name"))
st.caption(c.t("planning.sensitivity_rule"))
ui.show_table(c, labelled(mx.sensitivity(edited)), "model_sensitivity", key="model_matrix_sensitivity",
              column_config=number_format(["weight", "lower_threshold", "upper_threshold", "margin"], "%.3f"))

# ---------------------------------------------------------------- the branches: measured indicators
st.subheader(c.t("planning.branches"))
st.caption(c.t("planning.branches_help"))
ui.show_table(c, labelled(branches), "model_branches", key="model_matrix_branches",
              column_config=number_format(["line_ict_data_share", "manager_turnover_rate", "member_churn_rate",
                                           "outsourced_share"], "percent")
              | number_format(["manager_capability", "mean_star_level"], "%.2f"))
names = dict(zip(indicators.branch_id, indicators.branch_name))
branch = st.selectbox(c.t("column.branch_name"), list(names), format_func=names.get, key="model_matrix_branch")
if branch:
    detail = mx.suggested_scores(indicators[indicators.branch_id == branch], edited, mm)
    # Each measured value reads as what it measures: groups as a count, shares in %, an index to two decimals.
    measured = [fmt_kind(v, column_kind(k) if isinstance(k, str) else "number", c.lang)
                for v, k in zip(detail.measured_value, detail.indicator)]
    detail["indicator"] = detail["indicator"].map(lambda k: c.t(f"indicator.{k}") if isinstance(k, str) else k)
    detail = labelled(detail.drop(columns=["branch_id"]))
    ui.show_table(c, detail, f"model_scores_{branch}", key="model_matrix_scores",
                  screen=detail.assign(measured_value=measured),
                  column_config={"measured_value": st.column_config.TextColumn(alignment="right")})

# ---------------------------------------------------------------- save, compare with the settings
with st.expander(c.t("planning.model_compare"), icon=":material/compare:"):
    base_branches = mx.branch_recommendations(indicators, base_frame, mm)
    compared = base_branches[["branch_id", "branch_name", "current_model", "recommended_model"]].rename(
        columns={"recommended_model": "base_recommended"})
    compared["scenario_recommended"] = branches.recommended_model.values
    compared["changed"] = compared.base_recommended != compared.scenario_recommended
    ui.show_table(c, labelled(compared), "model_compare", key="model_matrix_compare")
scenarios.saver(c, "model", mx.levers_of(edited))

ui.definitions(c, "model_total", "sensitivity", "model_sensitivity_rule", "model_suggested",
               "model_active_groups", "model_line_ict_data_share", "model_manager_capability",
               "model_manager_turnover_rate", "model_member_churn_rate")
