"""The typed sections of settings.toml: one frozen dataclass per section, and the codes they allow.

settings_check.py builds them from the TOML document; settings.Settings holds one of each.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

CLASSES = ("A", "B", "C")
STAR_FOR_CLASS = {"A": 3, "B": 2, "C": 1}  # metrics.md "Star fit": A needs three stars, …
SEVERITIES = (1, 2, 3)
VISIT_KINDS = ("visit", "received", "care")
THEMES = ("reward", "communicate", "upgrade", "optimize")
SCORE_COMPONENTS = ("revenue_growth", "member_churn", "visit_compliance", "sla_resolution", "satisfaction")
MODELS = ("support", "parallel", "vertical")
VIP_TIERS = ("diamond", "gold", "silver", "vip", "none")
STRATEGIES = ("steady", "leap", "catch_up")
SUM_TOLERANCE = 1e-6


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
class Retention:
    snapshot_month: dt.date | None  # first day of the 拍照月; None: December of the year before the period


@dataclass(frozen=True)
class Warnings:
    high_value_tiers: tuple[str, ...]  # VIP tiers whose leaving members are warned of
    revenue_slide: float  # latest month at least this share below three months earlier
    expiry_days: int  # contracts ending within this many days of the as-of date
    aging_months: tuple[int, int, int]  # arrears buckets: ≤ a, a+1 … b, b+1 … c, > c months


@dataclass(frozen=True)
class Staffing:
    group_growth: float
    member_growth: float
    attrition_per_year: float
    months_to_hire: int
    horizon_months: int


@dataclass(frozen=True)
class Login:
    max_failures: int  # wrong passwords in a row for one user before the user is locked
    client_max_failures: int  # wrong passwords from one client (address) before the client is locked
    lock_minutes: int  # how long a lock lasts; failures older than this are forgotten
    delay_seconds: float  # the wait after a second wrong password, doubling with each further one


@dataclass(frozen=True)
class Quality:
    future_days: int  # a visit, order or complaint time this many days after the newest bill month ends is set aside
