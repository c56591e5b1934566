"""The planner-editable business rules (settings.toml), loaded, checked and handed out.

Every default target, threshold and weight of ../shared/spec/metrics.md lives in one TOML
file so that a planner can change a rule without touching code. A wrong edit must be caught
on load and named precisely (file and dotted key), because the person reading the message is
a planner, not a developer; every problem found is reported at once, not just the first.

The query layer gets the rules in two shapes: values for `$name` parameters
(`Settings.sql_params`) and small frames it registers as DuckDB tables (`Settings.tables`).
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import math
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "settings.toml"
ENV_VAR = "KAM_SETTINGS"

CLASSES = ("A", "B", "C")
STAR_FOR_CLASS = {"A": 3, "B": 2, "C": 1}  # metrics.md "Star fit": A needs three stars, …
SEVERITIES = (1, 2, 3)
VISIT_KINDS = ("visit", "received", "care")
THEMES = ("reward", "communicate", "upgrade", "optimize")
SCORE_COMPONENTS = ("revenue_growth", "member_churn", "visit_compliance", "sla_resolution", "satisfaction")
MODELS = ("support", "parallel", "vertical")
STRATEGIES = ("steady", "leap", "catch_up")
SUM_TOLERANCE = 1e-6
_OVERRIDDEN = " (with overrides)"


class SettingsError(ValueError):
    """The settings file is missing, unreadable or holds a value a rule forbids.

    The message has one line per problem, each naming the file and the dotted key.
    """

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


# ------------------------------------------------------------------------ typed sections

@dataclass(frozen=True)
class ClassRule:
    a_min: float
    b_min: float

    def suggest(self, avg_revenue: float) -> str:
        """The suggested class for a trailing three-month average revenue (yuan)."""
        return "A" if avg_revenue >= self.a_min else "B" if avg_revenue >= self.b_min else "C"


@dataclass(frozen=True)
class VisitRule:
    per_month: int | None  # None: the month is judged on per_quarter visits in the 3 months ending with it
    per_quarter: int


@dataclass(frozen=True)
class VisitStandard:
    counted_kinds: tuple[str, ...]
    by_class: dict[str, VisitRule]


@dataclass(frozen=True)
class Sla:
    response_hours: dict[int, dict[str, float]]  # severity → class → hours
    resolve_hours: dict[int, dict[str, float]]
    followup_hours: float
    at_risk_share: float
    repeat_days: int


@dataclass(frozen=True)
class BusinessHours:
    enabled: bool
    workdays: tuple[int, ...]  # ISO weekdays, 1 = Monday
    start: dt.time
    end: dt.time
    holidays: tuple[dt.date, ...]
    extra_workdays: tuple[dt.date, ...]

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.isoweekday() in self.workdays and day not in self.holidays


@dataclass(frozen=True)
class CapacityBand:
    band: int  # 1-based, as counted in the file
    min_members: int
    max_members: int | None  # None: open-ended last band
    ranges: dict[str, tuple[float, float]]  # class → (low, high) groups per manager

    def holds(self, avg_members: float) -> bool:
        # Averages are fractional: a band holds min_members - 1 < m ≤ max_members, so 50.4 is in 51–100.
        return avg_members > self.min_members - 1 and (self.max_members is None or avg_members <= self.max_members)


@dataclass(frozen=True)
class Capacity:
    bands: tuple[CapacityBand, ...]

    def lookup(self, cls: str, avg_members: float) -> tuple[float, float]:
        """(low, high) groups one manager of the class's star level can serve."""
        for band in self.bands:
            if band.holds(avg_members):
                return band.ranges[cls]
        return self.bands[0].ranges[cls]  # only a negative average gets here


@dataclass(frozen=True)
class Suggest:
    indicator: str
    thresholds: tuple[float, ...]  # 4 ascending cut points → levels 1–5
    scores_by_level: dict[str, tuple[float, ...]]  # model → score at level 1…5

    def level(self, value: float) -> int:
        return 1 + sum(value >= t for t in self.thresholds)

    def score(self, value: float | None, model: str) -> float | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return self.scores_by_level[model][self.level(value) - 1]


@dataclass(frozen=True)
class ModelVariable:
    key: str
    weight: float
    scores: dict[str, float]  # model → 1–5
    suggest: Suggest | None


@dataclass(frozen=True)
class ModelMatrix:
    models: tuple[str, ...]
    strategy: dict[str, str]  # model → steady | leap | catch_up
    variables: tuple[ModelVariable, ...]

    def totals(self) -> dict[str, float]:
        # Rounded so that float noise (2.5999999999999996) never decides a tie.
        return {m: round(sum(v.weight * v.scores[m] for v in self.variables), 9) for m in self.models}

    def recommended(self) -> str:
        totals = self.totals()
        return max(self.models, key=lambda m: totals[m])


@dataclass(frozen=True)
class Alerts:
    sla_compliance_min: float
    visit_compliance_min: float
    revenue_drop: float


@dataclass(frozen=True)
class Orders:
    stuck_days: int


@dataclass(frozen=True)
class TimeSettings:
    as_of: dt.datetime | None  # None: the latest time found in the data


@dataclass(frozen=True)
class Staffing:
    group_growth: float
    member_growth: float
    attrition_per_year: float
    months_to_hire: int
    horizon_months: int


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
            "capacity", "model_matrix", "alerts", "orders", "time", "staffing")


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


# ------------------------------------------------------------------------ Settings

@dataclass(frozen=True, eq=False)
class Settings:
    """Validated settings. Build with load_settings(); never half-valid.

    Equality and hashing go by `version`, so a Settings can be a cache key.
    """

    source: str  # how messages name the file
    path: Path | None
    raw: dict  # the TOML document as parsed; treat as read-only, use as_dict() for a copy
    class_rule: ClassRule
    visit_standard: VisitStandard
    care_themes: dict[int, str]  # quarter 1–4 → theme code
    sla: Sla
    business_hours: BusinessHours
    score_weights: dict[str, float]  # component → weight
    capacity: Capacity
    model_matrix: ModelMatrix
    alerts: Alerts
    orders: Orders
    time: TimeSettings
    staffing: Staffing

    @classmethod
    def from_dict(cls, raw: dict, source: str = "settings.toml", path: Path | None = None) -> Settings:
        """Check a TOML-shaped dict; raise SettingsError listing every problem."""
        c = _Checker()
        c.known(raw, "", SECTIONS)
        parsed = dict(class_rule=_class_rule(c, raw), visit_standard=_visit_standard(c, raw),
                      care_themes=_care_themes(c, raw), sla=_sla(c, raw),
                      business_hours=_business_hours(c, raw), score_weights=_score_weights(c, raw),
                      capacity=_capacity(c, raw), model_matrix=_model_matrix(c, raw),
                      alerts=_alerts(c, raw), orders=_orders(c, raw), time=_time(c, raw),
                      staffing=_staffing(c, raw))
        if c.problems:
            raise SettingsError(source, c.problems)
        return cls(source=source, path=path, raw=copy.deepcopy(raw), **parsed)

    # -------------------------------------------------------------- identity

    @property
    def version(self) -> str:
        """Short hash of the values (not the comments or layout): same rules, same version."""
        canonical = json.dumps(self.raw, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and other.version == self.version

    def __hash__(self) -> int:
        return hash(self.version)

    def as_dict(self) -> dict:
        return copy.deepcopy(self.raw)

    # -------------------------------------------------------------- for SQL

    def sql_params(self) -> dict[str, object]:
        """Values for `$name` parameters in queries/ (kam.storage.sql.bind picks the ones a query uses).

        All scalars except visit_kinds, a list for `kind = any($visit_kinds)`.

        class_a_min, class_b_min           yuan; suggested class A if avg ≥ class_a_min, B if ≥ class_b_min
        followup_hours                     follow-up due within this many hours of resolved_at
        at_risk_share                      open ticket is "at risk" once elapsed ≥ share × target
        repeat_days                        a complaint within this many days of the previous is a repeat
        business_hours_enabled             bool; false = SLA hours are calendar hours
        business_hours_start, _end         datetime.time (DuckDB TIME)
        w_revenue_growth, w_member_churn, w_visit_compliance, w_sla_resolution, w_satisfaction
                                           manager-score weights, summing to 1
        sla_compliance_min, visit_compliance_min   alert below these fractions
        revenue_drop                       alert when MoM revenue falls by more than this fraction
        stuck_days                         an order in one stage longer than this is stuck
        visit_kinds                        list[str], the visit kinds that count (default visit, care)
        staffing_group_growth, staffing_member_growth, staffing_attrition_per_year,
        staffing_months_to_hire, staffing_horizon_months     what-if defaults

        The tabular rules (SLA targets, visit standard, capacity, …) come from tables().
        There is deliberately no $as_of here: the query layer resolves it (settings.time.as_of
        when set, else the data's latest time), and a query run without it should fail loudly
        rather than compare against NULL.
        """
        params: dict[str, object] = {
            "class_a_min": self.class_rule.a_min,
            "class_b_min": self.class_rule.b_min,
            "followup_hours": self.sla.followup_hours,
            "at_risk_share": self.sla.at_risk_share,
            "repeat_days": self.sla.repeat_days,
            "business_hours_enabled": self.business_hours.enabled,
            "business_hours_start": self.business_hours.start,
            "business_hours_end": self.business_hours.end,
            # The same as seconds after midnight: Spark cannot bind a TIME parameter.
            "business_hours_start_s": _seconds(self.business_hours.start),
            "business_hours_end_s": _seconds(self.business_hours.end),
            "sla_compliance_min": self.alerts.sla_compliance_min,
            "visit_compliance_min": self.alerts.visit_compliance_min,
            "revenue_drop": self.alerts.revenue_drop,
            "stuck_days": self.orders.stuck_days,
            "visit_kinds": list(self.visit_standard.counted_kinds),
        }
        params |= {f"w_{k}": w for k, w in self.score_weights.items()}
        params |= {f"staffing_{k}": v for k, v in vars(self.staffing).items()}
        return params

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tabular rules as frames, to be registered as DuckDB tables under these names.

        cfg_sla_target(class, severity, response_hours, resolve_hours)    9 rows
        cfg_visit_standard(class, per_month, per_quarter)                 per_month NULL = rolling 3 months
        cfg_visit_kind(kind)                                              visit kinds that count
        cfg_capacity(band, min_members, max_members, class, star_level, cap_low, cap_high)
            one row per band × class; max_members NULL for the open last band; a band holds an
            average m when min_members - 1 < m ≤ coalesce(max_members, inf)
        cfg_care_theme(quarter, theme)                                    quarter 1–4
        cfg_score_weight(component, weight)
        cfg_holiday(day, is_workday)                                      false = public holiday,
                                                                          true = weekend working day
        cfg_workday(isodow)                                               usual working weekdays
        """
        sla = self.sla
        capacity = [(b.band, b.min_members, b.max_members, cls, STAR_FOR_CLASS[cls], *b.ranges[cls])
                    for b in self.capacity.bands for cls in CLASSES]
        bh = self.business_hours
        return {
            "cfg_sla_target": pd.DataFrame(
                [(cls, s, sla.response_hours[s][cls], sla.resolve_hours[s][cls]) for cls in CLASSES for s in SEVERITIES],
                columns=["class", "severity", "response_hours", "resolve_hours"]),
            "cfg_visit_standard": pd.DataFrame({
                "class": list(CLASSES),
                "per_month": pd.array([self.visit_standard.by_class[c].per_month for c in CLASSES], dtype="Int64"),
                "per_quarter": [self.visit_standard.by_class[c].per_quarter for c in CLASSES]}),
            "cfg_visit_kind": pd.DataFrame({"kind": list(self.visit_standard.counted_kinds)}),
            "cfg_capacity": pd.DataFrame(capacity, columns=["band", "min_members", "max_members", "class",
                                                            "star_level", "cap_low", "cap_high"])
                            .astype({"max_members": "Int64"}),
            "cfg_care_theme": pd.DataFrame(list(self.care_themes.items()), columns=["quarter", "theme"]),
            "cfg_score_weight": pd.DataFrame(list(self.score_weights.items()), columns=["component", "weight"]),
            "cfg_holiday": pd.DataFrame(
                [(d, False) for d in bh.holidays] + [(d, True) for d in bh.extra_workdays],
                columns=["day", "is_workday"]).astype({"is_workday": bool}),
            "cfg_workday": pd.DataFrame({"isodow": list(bh.workdays)}),
        }

    # -------------------------------------------------------------- what-if and saving

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        """A new validated Settings with some values changed (a planner's what-if).

        Keys are dotted paths or nested dicts: {"sla.followup_hours": 48} or {"sla": {"followup_hours": 48}}.
        Inside an array of tables a step is a 1-based position ("capacity.bands.4.a") or, for
        model variables, their key ("model_matrix.variables.competition.weight"). Lists are
        replaced whole.
        """
        raw = self.as_dict()
        for key, value in overrides.items():
            _set_path(raw, str(key).split("."), copy.deepcopy(value), self.source)
        source = self.source if self.source.endswith(_OVERRIDDEN) else self.source + _OVERRIDDEN
        return Settings.from_dict(raw, source, self.path)

    def save(self, path: Path | str) -> Path:
        """Write the values as TOML (atomically). Comments of the original file are not kept."""
        path = Path(path)
        text = ("# KAM Cockpit settings, saved by the app. The documented defaults, with comments,\n"
                "# are in settings.toml at the root of the project.\n\n" + dumps_toml(self.raw))
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                         prefix=path.name, suffix=".tmp") as f:
            f.write(text)
        os.replace(f.name, path)  # readers see the old file or the new, never half of one
        return path


def _set_path(node: Any, steps: list[str], value: Any, source: str) -> None:
    for i, step in enumerate(steps):
        where = ".".join(steps[:i + 1])
        if isinstance(node, list):
            slot = _list_index(node, step)
            if slot is None:
                raise SettingsError(source, [f"{where} is not a known setting"])
        elif isinstance(node, dict):
            slot = step
            if i < len(steps) - 1:
                node.setdefault(step, {})
        else:
            raise SettingsError(source, [f"{'.'.join(steps[:i])} is a value, not a table"])
        if i < len(steps) - 1:
            node = node[slot]
        elif isinstance(value, dict) and isinstance(node, (dict, list)) and _holds_dict(node, slot):
            for k, v in value.items():  # a dict merges into a table rather than replacing it
                _set_path(node[slot], str(k).split("."), v, source)
        else:
            node[slot] = value


def _holds_dict(node: dict | list, slot: str | int) -> bool:
    return isinstance(node[slot], dict) if isinstance(node, list) else isinstance(node.get(slot), dict)


def _list_index(items: list, step: str) -> int | None:
    if step.isdigit() and 1 <= int(step) <= len(items):
        return int(step) - 1
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("key") == step:
            return i
    return None


# ------------------------------------------------------------------------ loading

def default_path() -> Path:
    return Path(os.environ[ENV_VAR]) if os.environ.get(ENV_VAR) else DEFAULT_PATH


def load_settings(path: Path | str | None = None) -> Settings:
    """Read and validate the settings file (default: $KAM_SETTINGS, else settings.toml at the repo root)."""
    path = Path(path) if path is not None else default_path()
    source = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(source, [f"file not found ({path})"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SettingsError(source, [f"is not valid TOML: {e}"]) from None
    except OSError as e:
        raise SettingsError(source, [f"cannot be read ({e.strerror}: {path})"]) from None
    return Settings.from_dict(raw, source, path)


# ------------------------------------------------------------------------ a tiny TOML writer

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: Any) -> str:
    k = str(k)
    return k if _BARE_KEY.match(k) else _string(k)


def _string(s: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes; TOML also forbids a raw DEL.
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def _is_plain(v: Any) -> bool:
    """A value that fits on one line: scalars, lists of them, and dicts of those (inline tables)."""
    if isinstance(v, dict):
        return all(_is_plain(x) and not isinstance(x, dict) for x in v.values())
    if isinstance(v, list):
        return all(not isinstance(x, (dict, list)) or (isinstance(x, list) and _is_plain(x)) for x in v)
    return True


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }" if v else "{}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dumps_toml(data: dict) -> str:
    """TOML for the shapes settings use: tables, arrays of tables, inline tables, scalar lists."""
    out: list[str] = []
    _emit(out, [], data, header=None)
    return "\n".join(out).strip() + "\n"


def _emit(out: list[str], path: list[str], table: dict, header: str | None) -> None:
    own, nested = [], []
    for k, v in table.items():
        top_level_section = not path and isinstance(v, dict)
        if _is_table_array(v) or (isinstance(v, dict) and (top_level_section or not _is_plain(v))):
            nested.append((k, v))  # TOML wants a table's own keys before any sub-table header
        else:
            own.append(f"{_key(k)} = {_value(v)}")
    # A table holding only sub-tables needs no header of its own ([capacity] before [[capacity.bands]]),
    # but an array element always does: its header is what starts the element.
    if header and (own or not nested or header.startswith("[[")):
        out += ["", header]
    out += own
    for k, v in nested:
        sub = [*path, _key(k)]
        if isinstance(v, dict):
            _emit(out, sub, v, f"[{'.'.join(sub)}]")
        else:
            for item in v:
                _emit(out, sub, item, f"[[{'.'.join(sub)}]]")


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second
