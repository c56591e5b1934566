"""The planner-editable business rules (settings.toml), loaded, checked and handed out.

Every default target, threshold and weight of ../shared/spec/metrics.md lives in one TOML
file so that a planner can change a rule without touching code. A wrong edit must be caught
on load and named precisely (file and dotted key), because the person reading the message is
a planner, not a developer; every problem found is reported at once, not just the first.

The query layer gets the rules in two shapes: values for `$name` parameters
(`Settings.sql_params`) and small frames it registers as DuckDB tables (`Settings.tables`).

Beside this file: settings_sections.py (one dataclass per section), settings_check.py (the
checks, section by section), settings_toml.py (writing TOML on save). Callers import every
name from here.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from kam.figures.settings_check import SECTIONS, check_sections  # noqa: F401 (re-exported)
from kam.figures.settings_sections import (CLASSES, MODELS, SCORE_COMPONENTS, SEVERITIES,  # noqa: F401 (re-exported)
                                           STAR_FOR_CLASS, STRATEGIES, THEMES, VISIT_KINDS, Alerts, BusinessHours,
                                           Capacity, CapacityBand, ClassRule, Login, ModelMatrix, ModelVariable, Orders,
                                           Quality, Retention, SettingsError, Sla, Staffing, Suggest, TimeSettings,
                                           VisitRule, VisitStandard, Warnings)
from kam.figures.settings_toml import dumps_toml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "settings.toml"
ENV_VAR = "KAM_SETTINGS"
_OVERRIDDEN = " (with overrides)"


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
    retention: Retention
    warnings: Warnings
    login: Login
    quality: Quality

    @classmethod
    def from_dict(cls, raw: dict, source: str = "settings.toml", path: Path | None = None) -> Settings:
        """Check a TOML-shaped dict; raise SettingsError listing every problem."""
        parsed = check_sections(raw, source)
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
        high_value_tiers                   list[str], VIP tiers whose leavers are early warnings
        revenue_slide                      warn when the latest month is at least this share below 3 months earlier
        expiry_days                        warn of contracts ending within this many days of the as-of date
        aging_1, aging_2, aging_3          arrears aging buckets: ≤ aging_1, … ≤ aging_2, … ≤ aging_3, > aging_3 months

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
            "high_value_tiers": list(self.warnings.high_value_tiers),
            "revenue_slide": self.warnings.revenue_slide,
            "expiry_days": self.warnings.expiry_days,
        }
        params |= {f"aging_{i}": m for i, m in enumerate(self.warnings.aging_months, start=1)}
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


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second
