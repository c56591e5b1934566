"""Checking settings.toml: each section parsed into its dataclass, every problem named by its dotted key.

The problems are collected, not raised one by one, so a planner sees them all at once.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

from kam.figures.settings_sections import (CLASSES, MODELS, SCORE_COMPONENTS, SEVERITIES, STRATEGIES, SUM_TOLERANCE,
                                           THEMES, VIP_TIERS, VISIT_KINDS, Alerts, BusinessHours, Capacity,
                                           CapacityBand, ClassRule, Login, ModelMatrix, ModelVariable, Orders, Quality,
                                           Retention, SettingsError, Sla, Staffing, Suggest, TimeSettings, VisitRule,
                                           VisitStandard, Warnings)


# ------------------------------------------------------------------------ checking

def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _at(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


# rule name → (test, how the message describes an acceptable value)
_RULES = {
    "number": (lambda x: True, "a number"),
    "positive": (lambda x: x > 0, "a positive number"),
    "non_negative": (lambda x: x >= 0, "a number ≥ 0"),
    "fraction": (lambda x: 0 <= x <= 1, "a number from 0 to 1"),
    "open_fraction": (lambda x: 0 < x < 1, "a number between 0 and 1 (both excluded)"),
    "rate": (lambda x: 0 < x <= 1, "a number above 0 and at most 1"),
    "growth": (lambda x: x >= -1, "a yearly rate ≥ -1 (0.05 = +5 %)"),
    "score": (lambda x: 1 <= x <= 5, "a score from 1 to 5"),
    "positive_int": (lambda x: x >= 1 and float(x).is_integer(), "a whole number ≥ 1"),
    "non_negative_int": (lambda x: x >= 0 and float(x).is_integer(), "a whole number ≥ 0"),
}


class _Checker:
    """Collects every problem as "dotted.key what is wrong" so a planner sees them all at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, key: str, text: str) -> None:
        self.problems.append(f"{key} {text}")

    def known(self, table: dict, path: str, allowed: tuple[str, ...]) -> None:
        for k in table:
            if str(k) not in allowed:
                self.fail(_at(path, k), f"is not a known setting (expected one of {', '.join(allowed)})")

    def get(self, table: dict, path: str, key: str, optional: bool = False) -> Any:
        if key not in table:
            if not optional:
                self.fail(_at(path, key), "is missing")
            return None
        return table[key]

    def table(self, parent: dict, path: str, key: str, allowed: tuple[str, ...] | None = None) -> dict | None:
        value = self.get(parent, path, key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(_at(path, key), f"must be a table, got {_show(value)}")
            return None
        if allowed is not None:
            self.known(value, _at(path, key), allowed)
        return value

    def num(self, table: dict, path: str, key: str, rule: str, optional: bool = False) -> Any:
        value = self.get(table, path, key, optional)
        return None if value is None else self.check_num(value, _at(path, key), rule)

    def check_num(self, value: Any, key: str, rule: str) -> Any:
        test, text = _RULES[rule]
        if not _is_number(value) or not test(value):
            self.fail(key, f"must be {text}, got {_show(value)}")
            return None
        return int(value) if rule.endswith("_int") else value

    def choice(self, table: dict, path: str, key: str, options: tuple[str, ...]) -> str | None:
        value = self.get(table, path, key)
        if value is not None and value not in options:
            self.fail(_at(path, key), f"must be one of {', '.join(options)}; got {_show(value)}")
            return None
        return value

    def per_class(self, table: dict | None, path: str, rule: str) -> dict[str, Any]:
        if table is None:
            return {}
        self.known(table, path, CLASSES)
        return {c: self.num(table, path, c, rule) for c in CLASSES}


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _parse_hhmm(value: Any) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        return dt.time.fromisoformat(value)
    return None


def _parse_as_of(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt)
        except (TypeError, ValueError):
            pass
    return None


# ------------------------------------------------------------------------ sections

SECTIONS = ("class_rule", "visit_standard", "care_themes", "sla", "business_hours", "score_weights",
            "capacity", "model_matrix", "alerts", "orders", "time", "staffing", "retention", "warnings",
            "login", "quality")


def _class_rule(c: _Checker, raw: dict) -> ClassRule | None:
    t = c.table(raw, "", "class_rule", ("a_min", "b_min"))
    if t is None:
        return None
    a, b = c.num(t, "class_rule", "a_min", "positive"), c.num(t, "class_rule", "b_min", "positive")
    if a is not None and b is not None and a <= b:
        c.fail("class_rule.a_min", f"must be greater than class_rule.b_min ({_show(b)}), got {_show(a)}")
    return ClassRule(a, b)


def _visit_standard(c: _Checker, raw: dict) -> VisitStandard | None:
    t = c.table(raw, "", "visit_standard", ("counted_kinds", *CLASSES))
    if t is None:
        return None
    kinds = c.get(t, "visit_standard", "counted_kinds")
    if kinds is not None and (not isinstance(kinds, list) or not kinds or any(k not in VISIT_KINDS for k in kinds)):
        c.fail("visit_standard.counted_kinds",
               f"must be a non-empty list of {', '.join(VISIT_KINDS)}; got {_show(kinds)}")
    by_class = {}
    for cls in CLASSES:
        rule = c.table(t, "visit_standard", cls, ("per_month", "per_quarter"))
        if rule is not None:
            path = f"visit_standard.{cls}"
            by_class[cls] = VisitRule(c.num(rule, path, "per_month", "positive_int", optional=True),
                                      c.num(rule, path, "per_quarter", "positive_int"))
    return VisitStandard(tuple(kinds or ()), by_class)


def _care_themes(c: _Checker, raw: dict) -> dict[int, str] | None:
    keys = ("q1", "q2", "q3", "q4")
    t = c.table(raw, "", "care_themes", keys)
    if t is None:
        return None
    return {i + 1: c.choice(t, "care_themes", k, THEMES) for i, k in enumerate(keys)}


def _sla(c: _Checker, raw: dict) -> Sla | None:
    t = c.table(raw, "", "sla", ("response_hours", "resolve_hours", "followup_hours", "at_risk_share", "repeat_days"))
    if t is None:
        return None
    hours = {}
    for name in ("response_hours", "resolve_hours"):
        grid = c.table(t, "sla", name, tuple(str(s) for s in SEVERITIES))
        path = f"sla.{name}"
        hours[name] = {s: c.per_class(c.table(grid, path, str(s)) if grid is not None else None,
                                      f"{path}.{s}", "positive") for s in SEVERITIES}
    return Sla(hours["response_hours"], hours["resolve_hours"],
               c.num(t, "sla", "followup_hours", "positive"),
               c.num(t, "sla", "at_risk_share", "open_fraction"),
               c.num(t, "sla", "repeat_days", "positive_int"))


def _date_list(c: _Checker, t: dict, key: str) -> tuple[dt.date, ...]:
    path = f"business_hours.{key}"
    values = c.get(t, "business_hours", key)
    if values is None:
        return ()
    if not isinstance(values, list):
        c.fail(path, f"must be a list of dates \"YYYY-MM-DD\", got {_show(values)}")
        return ()
    days = []
    for i, v in enumerate(values, start=1):
        day = _parse_date(v)
        if day is None:
            c.fail(f"{path}.{i}", f"must be a date \"YYYY-MM-DD\", got {_show(v)}")
        else:
            days.append(day)
    return tuple(days)


def _business_hours(c: _Checker, raw: dict) -> BusinessHours | None:
    p = "business_hours"
    t = c.table(raw, "", p, ("enabled", "workdays", "start", "end", "holidays", "extra_workdays"))
    if t is None:
        return None
    enabled = c.get(t, p, "enabled")
    if enabled is not None and not isinstance(enabled, bool):
        c.fail(f"{p}.enabled", f"must be true or false, got {_show(enabled)}")
    workdays = c.get(t, p, "workdays")
    if workdays is not None and (not isinstance(workdays, list) or not workdays
                                 or any(not isinstance(d, int) or isinstance(d, bool) or not 1 <= d <= 7
                                        for d in workdays)
                                 or len(set(workdays)) != len(workdays)):
        c.fail(f"{p}.workdays", f"must be a non-empty list of distinct ISO weekdays 1–7, got {_show(workdays)}")
        workdays = None
    times = {}
    for key in ("start", "end"):
        value = c.get(t, p, key)
        times[key] = _parse_hhmm(value) if value is not None else None
        if value is not None and times[key] is None:
            c.fail(f"{p}.{key}", f"must be a time \"HH:MM\", got {_show(value)}")
    if times["start"] and times["end"] and times["start"] >= times["end"]:
        c.fail(f"{p}.end", f"must be later than {p}.start ({times['start']:%H:%M}), got {times['end']:%H:%M}")
    holidays, extra = _date_list(c, t, "holidays"), _date_list(c, t, "extra_workdays")
    for day in sorted(set(holidays) & set(extra)):
        c.fail(f"{p}.extra_workdays", f"lists {day} which is also in {p}.holidays")
    return BusinessHours(enabled, tuple(workdays or ()), times["start"], times["end"], holidays, extra)


def _weights_sum(c: _Checker, key: str, weights: list[Any]) -> None:
    if all(w is not None for w in weights) and abs(sum(weights) - 1) > SUM_TOLERANCE:
        c.fail(key, f"must sum to 1, got {round(sum(weights), 9)}")


def _score_weights(c: _Checker, raw: dict) -> dict[str, float] | None:
    t = c.table(raw, "", "score_weights", SCORE_COMPONENTS)
    if t is None:
        return None
    weights = {k: c.num(t, "score_weights", k, "non_negative") for k in SCORE_COMPONENTS}
    _weights_sum(c, "score_weights", list(weights.values()))
    return weights


def _pair(c: _Checker, band: dict, path: str, cls: str) -> tuple[float, float] | None:
    value = c.get(band, path, cls.lower())
    if value is None:
        return None
    if (not isinstance(value, list) or len(value) != 2 or not all(_is_number(x) for x in value)
            or not 0 < value[0] <= value[1]):
        c.fail(f"{path}.{cls.lower()}", f"must be [low, high] with 0 < low ≤ high, got {_show(value)}")
        return None
    return value[0], value[1]


def _capacity(c: _Checker, raw: dict) -> Capacity | None:
    t = c.table(raw, "", "capacity", ("bands",))
    if t is None:
        return None
    bands_raw = c.get(t, "capacity", "bands")
    if bands_raw is None:
        return None
    if not isinstance(bands_raw, list) or not bands_raw or not all(isinstance(b, dict) for b in bands_raw):
        c.fail("capacity.bands", "must be one or more [[capacity.bands]] tables")
        return None
    bands, previous_max = [], 0
    for i, b in enumerate(bands_raw, start=1):
        path, last = f"capacity.bands.{i}", i == len(bands_raw)
        c.known(b, path, ("max_members", "a", "b", "c"))
        max_members = None
        if last and "max_members" in b:
            c.fail(f"{path}.max_members", "must be left out: the last band is open-ended")
        elif not last:
            if "max_members" not in b:
                c.fail(f"{path}.max_members", "is missing (only the last band may leave it out)")
            else:
                max_members = c.num(b, path, "max_members", "positive_int")
                if max_members is not None and max_members <= previous_max:
                    c.fail(f"{path}.max_members",
                           f"must be greater than the previous band's ({previous_max}), got {max_members}")
        ranges = {cls: _pair(c, b, path, cls) for cls in CLASSES}
        bands.append(CapacityBand(i, previous_max + 1 if i > 1 else 0, max_members, ranges))
        previous_max = max_members if max_members is not None else previous_max
    return Capacity(tuple(bands))


def _scores(c: _Checker, t: dict | None, path: str, length: int | None) -> dict[str, Any]:
    """model → score (length None) or list of `length` scores."""
    if t is None:
        return {}
    c.known(t, path, MODELS)
    out = {}
    for m in MODELS:
        if length is None:
            out[m] = c.num(t, path, m, "score")
            continue
        value = c.get(t, path, m)
        if value is not None and (not isinstance(value, list) or len(value) != length
                                  or not all(_is_number(x) and 1 <= x <= 5 for x in value)):
            c.fail(f"{path}.{m}", f"must be a list of {length} scores from 1 to 5, got {_show(value)}")
            value = None
        out[m] = tuple(value) if value is not None else None
    return out


def _suggest(c: _Checker, var: dict, path: str) -> Suggest | None:
    if "suggest" not in var:
        return None
    t = c.table(var, path, "suggest", ("indicator", "thresholds", "scores_by_level"))
    if t is None:
        return None
    path += ".suggest"
    indicator = c.get(t, path, "indicator")
    if indicator is not None and (not isinstance(indicator, str) or not indicator.strip()):
        c.fail(f"{path}.indicator", f"must be an indicator name, got {_show(indicator)}")
    thresholds = c.get(t, path, "thresholds")
    if thresholds is not None and (not isinstance(thresholds, list) or len(thresholds) != 4
                                   or not all(_is_number(x) for x in thresholds)
                                   or any(a >= b for a, b in zip(thresholds, thresholds[1:]))):
        c.fail(f"{path}.thresholds", f"must be 4 ascending numbers, got {_show(thresholds)}")
    levels = _scores(c, c.table(t, path, "scores_by_level"), f"{path}.scores_by_level", 5)
    return Suggest(indicator, tuple(thresholds or ()), levels)


def _model_matrix(c: _Checker, raw: dict) -> ModelMatrix | None:
    p = "model_matrix"
    t = c.table(raw, "", p, ("models", "strategy", "variables"))
    if t is None:
        return None
    models = c.get(t, p, "models")
    if models is not None and (not isinstance(models, list) or sorted(models) != sorted(MODELS)):
        c.fail(f"{p}.models", f"must list exactly {', '.join(MODELS)}, got {_show(models)}")
    strategy_t = c.table(t, p, "strategy", MODELS)
    strategy = ({m: c.choice(strategy_t, f"{p}.strategy", m, STRATEGIES) for m in MODELS}
                if strategy_t is not None else {})
    vars_raw = c.get(t, p, "variables")
    if vars_raw is None:
        return None
    if not isinstance(vars_raw, list) or not vars_raw or not all(isinstance(v, dict) for v in vars_raw):
        c.fail(f"{p}.variables", "must be one or more [[model_matrix.variables]] tables")
        return None
    variables, seen = [], set()
    for i, v in enumerate(vars_raw, start=1):
        key = v.get("key")
        # Name a variable by its key where it has a usable one: clearer to a planner than a position.
        good_key = isinstance(key, str) and re.fullmatch(r"[a-z][a-z0-9_]*", key) is not None
        path = f"{p}.variables.{key if good_key else i}"
        c.known(v, path, ("key", "weight", "scores", "suggest"))
        if not good_key:
            c.fail(f"{path}.key", f"must be a lowercase snake_case name, got {_show(key)}")
        elif key in seen:
            c.fail(f"{path}.key", "is used by more than one variable")
        seen.add(key)
        variables.append(ModelVariable(key, c.num(v, path, "weight", "non_negative"),
                                       _scores(c, c.table(v, path, "scores"), f"{path}.scores", None),
                                       _suggest(c, v, path)))
    _weights_sum(c, f"{p}.variables.*.weight", [v.weight for v in variables])
    return ModelMatrix(MODELS, strategy, tuple(variables))


def _alerts(c: _Checker, raw: dict) -> Alerts | None:
    t = c.table(raw, "", "alerts", ("sla_compliance_min", "visit_compliance_min", "revenue_drop"))
    if t is None:
        return None
    return Alerts(c.num(t, "alerts", "sla_compliance_min", "fraction"),
                  c.num(t, "alerts", "visit_compliance_min", "fraction"),
                  c.num(t, "alerts", "revenue_drop", "rate"))


def _orders(c: _Checker, raw: dict) -> Orders | None:
    t = c.table(raw, "", "orders", ("stuck_days",))
    return None if t is None else Orders(c.num(t, "orders", "stuck_days", "positive_int"))


def _time(c: _Checker, raw: dict) -> TimeSettings | None:
    t = c.table(raw, "", "time", ("as_of",))
    value = None if t is None else c.get(t, "time", "as_of")
    if value is None or value == "":
        return TimeSettings(None)
    parsed = _parse_as_of(value)
    if parsed is None:
        c.fail("time.as_of", f"must be empty or \"YYYY-MM-DD HH:MM\", got {_show(value)}")
    return TimeSettings(parsed)


def _staffing(c: _Checker, raw: dict) -> Staffing | None:
    keys = ("group_growth", "member_growth", "attrition_per_year", "months_to_hire", "horizon_months")
    t = c.table(raw, "", "staffing", keys)
    if t is None:
        return None
    rules = ("growth", "growth", "fraction", "non_negative_int", "positive_int")
    return Staffing(*(c.num(t, "staffing", k, r) for k, r in zip(keys, rules)))


def _retention(c: _Checker, raw: dict) -> Retention | None:
    t = c.table(raw, "", "retention", ("snapshot_month",))
    if t is None:
        return None
    value = c.get(t, "retention", "snapshot_month")
    if value is None or value == "":
        return Retention(None)
    month = None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value) and 1 <= int(value[5:]) <= 12:
        month = dt.date(int(value[:4]), int(value[5:]), 1)
    if month is None:
        c.fail("retention.snapshot_month", f"must be empty or a month \"YYYY-MM\", got {_show(value)}")
    return Retention(month)


def _warnings(c: _Checker, raw: dict) -> Warnings | None:
    p = "warnings"
    t = c.table(raw, "", p, ("high_value_tiers", "revenue_slide", "expiry_days", "aging_months"))
    if t is None:
        return None
    tiers = c.get(t, p, "high_value_tiers")
    if tiers is not None and (not isinstance(tiers, list) or not tiers or any(x not in VIP_TIERS for x in tiers)
                              or len(set(tiers)) != len(tiers)):
        c.fail(f"{p}.high_value_tiers", f"must be a non-empty list of distinct VIP tiers "
                                        f"({', '.join(VIP_TIERS)}), got {_show(tiers)}")
        tiers = None
    aging = c.get(t, p, "aging_months")
    if aging is not None and (not isinstance(aging, list) or len(aging) != 3
                              or not all(_is_number(x) and x >= 1 and float(x).is_integer() for x in aging)
                              or not aging[0] < aging[1] < aging[2]):
        c.fail(f"{p}.aging_months", f"must be three ascending whole numbers of months ≥ 1, got {_show(aging)}")
        aging = None
    return Warnings(tuple(tiers or ()), c.num(t, p, "revenue_slide", "rate"), c.num(t, p, "expiry_days", "positive_int"),
                    tuple(int(x) for x in aging) if aging else ())


def _login(c: _Checker, raw: dict) -> Login | None:
    keys = ("max_failures", "client_max_failures", "lock_minutes", "delay_seconds")
    t = c.table(raw, "", "login", keys)
    if t is None:
        return None
    rules = ("positive_int", "positive_int", "positive_int", "non_negative")
    return Login(*(c.num(t, "login", k, r) for k, r in zip(keys, rules)))


def _quality(c: _Checker, raw: dict) -> Quality | None:
    t = c.table(raw, "", "quality", ("future_days",))
    return None if t is None else Quality(c.num(t, "quality", "future_days", "positive_int"))


def check_sections(raw: dict, source: str) -> dict[str, Any]:
    """Every section of a TOML-shaped dict, parsed; raise SettingsError listing every problem."""
    c = _Checker()
    c.known(raw, "", SECTIONS)
    parsed = dict(class_rule=_class_rule(c, raw), visit_standard=_visit_standard(c, raw),
                  care_themes=_care_themes(c, raw), sla=_sla(c, raw),
                  business_hours=_business_hours(c, raw), score_weights=_score_weights(c, raw),
                  capacity=_capacity(c, raw), model_matrix=_model_matrix(c, raw),
                  alerts=_alerts(c, raw), orders=_orders(c, raw), time=_time(c, raw),
                  staffing=_staffing(c, raw), retention=_retention(c, raw), warnings=_warnings(c, raw),
                  login=_login(c, raw), quality=_quality(c, raw))
    if c.problems:
        raise SettingsError(source, c.problems)
    return parsed
