"""Management-model matrix (管理模式评分): weighted scores of the three organisation models, the
recommendation, how robust it is, and what each branch's own figures suggest (metrics.md:
Management-model matrix; the defaults and the score mapping are settings.toml [model_matrix]).

- total of a model = Σ weight × score over the six decision variables; the highest total is
  recommended (on a tie, the first in settings' model order); weights a planner typed that do not
  sum to 1 are used rescaled to sum to 1, and the page says so;
- sensitivity of weight i: move w_i to t and rescale the other weights proportionally so that all
  still sum to 1 (w_j → w_j × (1 − t) ÷ (1 − w_i); if the others are all 0 they share 1 − t
  equally). Every total is then linear in t: T_k(t) = t × s_ik + (1 − t) × R_k, with R_k the
  total of the other variables rescaled to weight 1. The threshold is the nearest t in [0, 1], below
  and above w_i, where another model's total reaches the recommended one's; none means the
  recommendation holds over the whole range of that weight;
- per branch: where a variable carries a `suggest` block and the branch's indicator is measured
  (queries/reports/model.sql), the suggested score replaces the planner's score; otherwise the
  planner's score stands. The branch's totals and recommendation use those scores.
"""
from __future__ import annotations

import math

import pandas as pd

import kam.figures.reports
from kam.figures.period import Period
from kam.figures.query import EVERYONE, Scope, Warehouse
from kam.figures.settings import MODELS, ModelMatrix

TOLERANCE = 1e-9


# ------------------------------------------------------------------------ the matrix as a frame

def matrix_frame(mm: ModelMatrix) -> pd.DataFrame:
    """One row per decision variable: key, weight and the 1–5 score of each model (editable on the page)."""
    return pd.DataFrame([{"variable": v.key, "weight": float(v.weight), **{m: float(v.scores[m]) for m in MODELS}}
                         for v in mm.variables])


def levers_of(frame: pd.DataFrame) -> dict:
    """A matrix as saved in a model scenario: weights and scores by variable."""
    return {"weights": {r["variable"]: float(r["weight"]) for r in frame.to_dict("records")},
            "scores": {r["variable"]: {m: float(r[m]) for m in MODELS} for r in frame.to_dict("records")}}


def apply_levers(frame: pd.DataFrame, levers: dict) -> pd.DataFrame:
    """The matrix with a scenario's weights and scores; variables the scenario does not know keep theirs."""
    out = frame.copy()
    for i, r in out.iterrows():
        key = r["variable"]
        if key in levers.get("weights", {}):
            out.at[i, "weight"] = float(levers["weights"][key])
        for m in MODELS:
            if m in levers.get("scores", {}).get(key, {}):
                out.at[i, m] = float(levers["scores"][key][m])
    return out


def check(frame: pd.DataFrame) -> list[str]:
    """Problems that stop the matrix from being scored: (key, detail) messages for the page."""
    problems = []
    for r in frame.to_dict("records"):
        if not (r["weight"] >= 0):
            problems.append(f"{r['variable']}.weight")
        problems += [f"{r['variable']}.{m}" for m in MODELS if not (1 <= r[m] <= 5)]
    if not problems and frame["weight"].sum() <= 0:
        problems.append("weights")
    return problems


def normalised(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["weight"] = out["weight"] / out["weight"].sum()
    return out


# ------------------------------------------------------------------------ totals and recommendation

def totals(frame: pd.DataFrame) -> dict[str, float]:
    """Weighted total of each model, with the weights rescaled to sum to 1."""
    f = normalised(frame)
    # Rounded so that float noise (2.5999999999999996) never decides a tie.
    return {m: round(float((f["weight"] * f[m]).sum()), 9) for m in MODELS}


def recommended(model_totals: dict[str, float]) -> str:
    return max(MODELS, key=lambda m: model_totals[m])


def sensitivity(frame: pd.DataFrame) -> pd.DataFrame:
    """For each weight: the nearest weight below and above where the recommendation changes, and to what."""
    f = normalised(frame)
    best = recommended(totals(frame))
    rows = []
    for i, r in f.iterrows():
        w = float(r["weight"])
        others = f.drop(index=i)
        if others["weight"].sum() > TOLERANCE:
            rest = {m: float((others["weight"] * others[m]).sum() / others["weight"].sum()) for m in MODELS}
        else:
            rest = {m: float(others[m].mean()) if len(others) else float(r[m]) for m in MODELS}
        below, above = (None, None), (None, None)
        for k in MODELS:
            if k == best:
                continue
            # D(t) = T_best(t) − T_k(t) = t × a + (1 − t) × b
            a, b = float(r[best] - r[k]), rest[best] - rest[k]
            for t in _roots(a, b, w):
                if t <= w + TOLERANCE and (below[0] is None or t > below[0]):
                    below = (t, k)
                if t >= w - TOLERANCE and (above[0] is None or t < above[0]):
                    above = (t, k)
        rows.append({"variable": r["variable"], "weight": w,
                     "lower_threshold": below[0], "lower_model": below[1],
                     "upper_threshold": above[0], "upper_model": above[1],
                     "margin": min((abs(w - t) for t in (below[0], above[0]) if t is not None), default=None)})
    return pd.DataFrame(rows)


def _roots(a: float, b: float, w: float) -> list[float]:
    """t in [0, 1] where t × a + (1 − t) × b = 0; the whole range when D is 0 everywhere."""
    slope = a - b
    if abs(slope) < TOLERANCE:
        return [w] if abs(b) < TOLERANCE else []
    t = -b / slope
    return [min(max(t, 0.0), 1.0)] if -TOLERANCE <= t <= 1 + TOLERANCE else []


# ------------------------------------------------------------------------ per branch

def suggested_scores(indicators: pd.DataFrame, frame: pd.DataFrame, mm: ModelMatrix) -> pd.DataFrame:
    """One row per branch × variable: indicator, measured value, level 1–5 and the score of each model
    (suggested where measured, the planner's otherwise; `suggested` says which)."""
    rows = []
    planner = frame.set_index("variable")
    for v in mm.variables:
        if v.key not in planner.index:
            continue
        for b in indicators.to_dict("records"):
            value = b.get(v.suggest.indicator) if v.suggest is not None else None
            measured = value is not None and not (isinstance(value, float) and math.isnan(value)) \
                and not pd.isna(value)
            row = {"branch_id": b["branch_id"], "variable": v.key,
                   "indicator": v.suggest.indicator if v.suggest is not None else None,
                   "measured_value": float(value) if measured else None,
                   "level": v.suggest.level(float(value)) if measured else None, "suggested": measured}
            for m in MODELS:
                row[m] = float(v.suggest.score(float(value), m)) if measured else float(planner.at[v.key, m])
            rows.append(row)
    return pd.DataFrame(rows)


def branch_recommendations(indicators: pd.DataFrame, frame: pd.DataFrame, mm: ModelMatrix) -> pd.DataFrame:
    """One row per branch: its indicators, each variable's level, model totals from the suggested
    scores (weights from `frame`), the recommendation and its strategy beside the current model."""
    scores = suggested_scores(indicators, frame, mm)
    weights = normalised(frame).set_index("variable")["weight"]
    out = indicators.rename(columns={"mgmt_model": "current_model"}).copy()
    for v in mm.variables:
        levels = scores[scores.variable == v.key].set_index("branch_id")["level"] if not scores.empty else {}
        if v.suggest is not None:
            out[f"{v.key}_level"] = out.branch_id.map(levels).astype("Int64")
    for m in MODELS:
        per_branch = (scores.assign(weighted=scores[m] * scores.variable.map(weights))
                      .groupby("branch_id")["weighted"].sum()) if not scores.empty else pd.Series(dtype=float)
        out[f"{m}_total"] = out.branch_id.map(per_branch).round(4)
    out["recommended_model"] = [recommended({m: r[f"{m}_total"] for m in MODELS})
                                if not pd.isna(r[f"{MODELS[0]}_total"]) else None for r in out.to_dict("records")]
    out["strategy"] = out.recommended_model.map(mm.strategy)
    out["matches_current"] = out.recommended_model == out.current_model
    first = ["branch_id", "branch_name", "current_model", "recommended_model", "strategy", "matches_current",
             *(f"{m}_total" for m in MODELS)]
    return out[first + [c for c in out.columns if c not in first]]


# ------------------------------------------------------------------------ `kam report model`

def indicators(wh: Warehouse, period: Period, scope: Scope = EVERYONE) -> pd.DataFrame:
    return wh.query("reports/model", wh.period_params(period), scope)


@kam.figures.reports.register("model")
def model_report(wh: Warehouse, period: Period, scope: Scope = EVERYONE) -> pd.DataFrame:
    """One row per branch: current model, measured indicators, levels, totals, recommendation, strategy."""
    mm = wh.settings.model_matrix
    return branch_recommendations(indicators(wh, period, scope), matrix_frame(mm), mm)
