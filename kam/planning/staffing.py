"""Staffing (人员配备): the calculator and the planner's what-if scenarios (metrics.md: Staffing).

The figures of today come from SQL: `queries/reports/staffing.sql` (the `kam report staffing`
table) and `queries/pages/staffing_cells.sql` (groups and members by branch × recorded class ×
suggested class). A scenario changes the assumptions and recomputes the same definition:

1. class moves: optionally every group takes its suggested class; then for each pair of classes
   a share of the groups of one class (with their members) moves to the other;
2. growth: groups of each class grow by their yearly rate and members per group by theirs, over
   the horizon: n' = n × (1 + g)^(horizon / 12);
3. capacity: the capacity table (as edited) gives [c_low, c_high] for the class and the new
   average; a visit standard raised from v to v' visits a quarter scales it by v / v' (a manager's
   time goes into visits, so twice the visits means half the groups);
4. needed: round_half_up(n' ÷ c_high) to round_half_up(n' ÷ c_low), round_half_up(x) = floor(x + 0.5);
5. current: managers of the class's star level employed at the as-of time (from SQL); gap: current
   against the needed range — short, within or surplus, with the managers short of the range
   (low − current) and the managers beyond it (current − high), both counted positive;
6. hires: expected leavers over the horizon are current × attrition × horizon / 12; hires =
   ceil(low − (current − leavers)) when positive, the managers to recruit to reach the low end of
   the needed range at the horizon; posts must open `months_to_hire` months before the horizon
   (open_by; the as-of month when that is already past).

With no levers moved (and no attrition) a scenario gives exactly the SQL table: tested.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field, fields

import pandas as pd

from kam.i18n import t
from kam.figures.period import Period, add_months
from kam.figures.query import EVERYONE, Scope, Warehouse
from kam.figures.settings import CLASSES, STAR_FOR_CLASS, Settings

GAP_SHORT, GAP_WITHIN, GAP_SURPLUS = "short", "within", "surplus"


def round_half_up(x: float) -> int:
    """12.5 → 13, 12.4999 → 12 (metrics.md writes the needed range with round_half_up)."""
    return math.floor(x + 0.5)


def needed_range(groups: float, capacity_low: float, capacity_high: float) -> tuple[int, int]:
    """(low, high) managers for `groups` groups, each manager serving capacity_low–capacity_high."""
    if groups <= 0:
        return 0, 0
    return round_half_up(groups / capacity_high), round_half_up(groups / capacity_low)


def gap_of(current: float, low: int, high: int) -> tuple[str, float, float]:
    """(status, short, surplus): short by low − current, surplus by current − high (both positive), or within."""
    if current < low:
        return GAP_SHORT, low - current, 0
    if current > high:
        return GAP_SURPLUS, 0, current - high
    return GAP_WITHIN, 0, 0


def calculate(groups: float, avg_members: float, cls: str, settings: Settings) -> dict:
    """The calculator: a number of groups of a class and their average size → capacity and managers needed.

    412 class-A groups averaging 210 members → capacity 8–10 → 41–52 three-star managers.
    """
    low, high = settings.capacity.lookup(cls, avg_members)
    required_low, required_high = needed_range(groups, low, high)
    return {"class": cls, "star_level": STAR_FOR_CLASS[cls], "groups": groups, "avg_members": avg_members,
            "capacity_low": low, "capacity_high": high,
            "required_low": required_low, "required_high": required_high}


# ------------------------------------------------------------------------ levers

class LeverError(ValueError):
    """A lever value the model cannot use; the message names the lever.

    `key` and `params` let a page say it in the viewer's language (planning.lever_error.<key>);
    str() is the English text, for the command line and logs.
    """

    def __init__(self, key: str, **params: object):
        self.key, self.params = key, params
        super().__init__(t(f"planning.lever_error.{key}", "en", **params))

    def in_language(self, lang: str) -> str:
        return t(f"planning.lever_error.{self.key}", lang, **self.params)


@dataclass
class Levers:
    """A scenario's assumptions. Rates are yearly fractions (0.05 = +5 % a year)."""
    group_growth: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0.0))
    member_growth: float = 0.0
    apply_suggested: bool = False  # every group takes its suggested class first
    moves: dict[str, float] = field(default_factory=dict)  # "B>A": share of B groups that become A
    capacity_bands: list[dict] | None = None  # [[capacity.bands]] as in settings.toml; None = settings
    visits_per_quarter: dict[str, float] = field(default_factory=dict)  # class → visits; {} = settings
    attrition_per_year: float = 0.0
    months_to_hire: int = 0
    horizon_months: int = 12

    @classmethod
    def defaults(cls, settings: Settings) -> Levers:
        """The base case: the [staffing] defaults of settings.toml, today's classes and capacity."""
        s = settings.staffing
        return cls(group_growth=dict.fromkeys(CLASSES, float(s.group_growth)), member_growth=float(s.member_growth),
                   visits_per_quarter={c: float(settings.visit_standard.by_class[c].per_quarter) for c in CLASSES},
                   attrition_per_year=float(s.attrition_per_year), months_to_hire=int(s.months_to_hire),
                   horizon_months=int(s.horizon_months))

    @classmethod
    def from_dict(cls, data: dict, settings: Settings) -> Levers:
        """Levers from a saved scenario; anything missing takes the settings' default."""
        defaults = asdict(cls.defaults(settings))
        known = {f.name for f in fields(cls)}
        values = defaults | {k: v for k, v in (data or {}).items() if k in known}
        for per_class in ("group_growth", "visits_per_quarter"):  # a class left out keeps its default
            given = values[per_class] if isinstance(values[per_class], dict) else {}
            values[per_class] = {c: float(given.get(c, defaults[per_class][c])) for c in CLASSES}
        levers = cls(**values)
        levers.moves = {str(k): float(v) for k, v in (levers.moves or {}).items()}
        for name in ("member_growth", "attrition_per_year"):
            setattr(levers, name, float(getattr(levers, name)))
        levers.months_to_hire, levers.horizon_months = int(levers.months_to_hire), int(levers.horizon_months)
        return levers

    def to_dict(self) -> dict:
        return asdict(self)

    def check(self) -> None:
        """Raise LeverError naming the first lever out of range."""
        for c, g in self.group_growth.items():
            if not g >= -1:
                raise LeverError("group_growth", cls=c, value=g)
        if not self.member_growth >= -1:
            raise LeverError("member_growth", value=self.member_growth)
        out_of: dict[str, float] = {}
        for key, share in self.moves.items():
            src, _, dst = key.partition(">")
            if src not in CLASSES or dst not in CLASSES or src == dst:
                raise LeverError("move_classes", move=key)
            if not 0 <= share <= 1:
                raise LeverError("move_share", move=key, value=share)
            out_of[src] = out_of.get(src, 0.0) + share
        for src, total in out_of.items():
            if total > 1 + 1e-9:
                raise LeverError("moves_total", cls=src, total=f"{total:.0%}")
        for c, v in self.visits_per_quarter.items():
            if not v > 0:
                raise LeverError("visits", cls=c, value=v)
        if not 0 <= self.attrition_per_year <= 1:
            raise LeverError("attrition", value=self.attrition_per_year)
        if self.months_to_hire < 0 or self.horizon_months < 1:
            raise LeverError("months")

    def settings_for(self, settings: Settings) -> Settings:
        """The settings with this scenario's capacity table (checked as settings.toml is: SettingsError names
        the key)."""
        if not self.capacity_bands:
            return settings
        return settings.with_overrides({"capacity.bands": self.capacity_bands})


# ------------------------------------------------------------------------ capacity table as an editable frame

CAPACITY_COLUMNS = ["max_members", "a_low", "a_high", "b_low", "b_high", "c_low", "c_high"]


def capacity_frame(settings: Settings, bands: list[dict] | None = None) -> pd.DataFrame:
    """The capacity table one row per band (max_members empty for the open last band), for st.data_editor."""
    raw = bands if bands else settings.raw["capacity"]["bands"]
    rows = [[b.get("max_members"), *b["a"], *b["b"], *b["c"]] for b in raw]
    frame = pd.DataFrame(rows, columns=CAPACITY_COLUMNS)
    frame["max_members"] = frame["max_members"].astype("Int64")
    return frame


def bands_from_frame(frame: pd.DataFrame) -> list[dict]:
    """[[capacity.bands]] from the edited frame; rows left wholly empty are dropped."""
    bands = []
    for row in frame.to_dict("records"):
        values = [row.get(c) for c in CAPACITY_COLUMNS]
        if all(v is None or pd.isna(v) for v in values):
            continue
        band = {} if row.get("max_members") is None or pd.isna(row.get("max_members")) \
            else {"max_members": int(row["max_members"])}
        for cls in ("a", "b", "c"):
            band[cls] = [_num(row.get(f"{cls}_low")), _num(row.get(f"{cls}_high"))]
        bands.append(band)
    return bands


def _num(v):
    if v is None or pd.isna(v):
        return None
    f = float(v)
    return int(f) if f.is_integer() else f


# ------------------------------------------------------------------------ the model

@dataclass(frozen=True)
class Base:
    """Today's figures from SQL that every scenario starts from."""
    report: pd.DataFrame  # queries/reports/staffing.sql
    cells: pd.DataFrame  # queries/pages/staffing_cells.sql
    as_of: dt.datetime | None


def load_base(wh: Warehouse, period: Period, scope: Scope = EVERYONE) -> Base:
    from kam.figures.reports import run_report
    params = wh.period_params(period)
    return Base(run_report(wh, "staffing", period, scope), wh.query("pages/staffing_cells", params, scope),
                params.get("as_of"))


def _moved_cells(cells: pd.DataFrame, levers: Levers) -> pd.DataFrame:
    """branch × class: groups and members after the class moves (shares may leave fractional groups)."""
    frame = cells.copy()
    if levers.apply_suggested:
        frame["class"] = frame["suggested_class"]
    frame = frame.groupby(["branch_id", "class"], as_index=False)[["groups", "members"]].sum()
    frame[["groups", "members"]] = frame[["groups", "members"]].astype(float)
    if not levers.moves:
        return frame
    out = []
    for branch, rows in frame.groupby("branch_id"):
        n = {c: 0.0 for c in CLASSES}
        mem = {c: 0.0 for c in CLASSES}
        for r in rows.to_dict("records"):
            n[r["class"]], mem[r["class"]] = float(r["groups"]), float(r["members"])
        new_n, new_mem = dict(n), dict(mem)
        for key, share in levers.moves.items():  # simultaneous: every share applies to the state before moves
            src, _, dst = key.partition(">")
            new_n[src] -= n[src] * share
            new_n[dst] += n[src] * share
            new_mem[src] -= mem[src] * share
            new_mem[dst] += mem[src] * share
        out += [{"branch_id": branch, "class": c, "groups": max(new_n[c], 0.0), "members": max(new_mem[c], 0.0)}
                for c in CLASSES]
    return pd.DataFrame(out)


def project(base: Base, levers: Levers, settings: Settings) -> pd.DataFrame:
    """One row per branch × class (star level) under the levers; columns as the staffing report plus
    leavers, hires and open_by."""
    levers.check()
    scenario_settings = levers.settings_for(settings)
    years = levers.horizon_months / 12
    cells = _moved_cells(base.cells, levers).set_index(["branch_id", "class"])
    rows = []
    for r in base.report.to_dict("records"):
        cls = r["class"]
        key = (r["branch_id"], cls)
        n0 = float(cells.loc[key, "groups"]) if key in cells.index else 0.0
        members0 = float(cells.loc[key, "members"]) if key in cells.index else 0.0
        n = n0 * (1 + levers.group_growth[cls]) ** years
        avg = members0 / n0 * (1 + levers.member_growth) ** years if n0 > 0 else math.nan
        factor = float(settings.visit_standard.by_class[cls].per_quarter) / levers.visits_per_quarter[cls]
        if n > 0:
            low, high = scenario_settings.capacity.lookup(cls, avg)
            low, high = low * factor, high * factor
        else:
            low = high = math.nan
        required_low, required_high = needed_range(n, low, high) if n > 0 else (0, 0)
        current = int(r["current"])
        status, short, surplus = gap_of(current, required_low, required_high)
        leavers = current * levers.attrition_per_year * years
        hires = max(0, math.ceil(required_low - (current - leavers) - 1e-9))
        rows.append({
            "branch_id": r["branch_id"], "branch_name": r["branch_name"], "class": cls,
            "star_level": r["star_level"],
            "groups": round(n, 1), "avg_members": round(avg, 2) if n > 0 else math.nan,
            "capacity_low": round(low, 2), "capacity_high": round(high, 2),
            "required_low": required_low, "required_high": required_high,
            "current": current, "gap": status, "short_managers": short, "surplus_managers": surplus,
            "leavers": round(leavers, 1), "hires": hires,
            "open_by": _open_by(base.as_of, levers) if hires else None,
        })
    return pd.DataFrame(rows)


def _open_by(as_of: dt.datetime | None, levers: Levers) -> str | None:
    if as_of is None:
        return None
    months = max(0, levers.horizon_months - levers.months_to_hire)
    return add_months(as_of.date(), months).strftime("%Y-%m")


def totals(frame: pd.DataFrame) -> pd.DataFrame:
    """The province total by class of a projected frame: sums of the branches (managers serve within a branch,
    so one branch's surplus does not fill another's shortfall); the gap compares the sums."""
    summed = frame.groupby(["class", "star_level"], as_index=False)[
        ["groups", "required_low", "required_high", "current", "short_managers", "surplus_managers",
         "leavers", "hires"]].sum()
    summed["gap"] = [gap_of(r.current, r.required_low, r.required_high)[0] for r in summed.itertuples()]
    return summed


COMPARED = ("required_low", "required_high", "current", "short_managers", "surplus_managers", "hires")


def compare(base: pd.DataFrame, scenario: pd.DataFrame) -> pd.DataFrame:
    """Side by side per branch × star level: base_*, scenario_* and the difference (scenario − base) of each
    figure; `changed` marks the rows where anything differs."""
    keys = ["branch_id", "branch_name", "class", "star_level"]
    left = base[keys + list(COMPARED) + ["gap"]].rename(columns={c: f"base_{c}" for c in (*COMPARED, "gap")})
    right = scenario[keys + list(COMPARED) + ["gap"]].rename(
        columns={c: f"scenario_{c}" for c in (*COMPARED, "gap")})
    out = left.merge(right, on=keys, how="outer")
    for c in COMPARED:
        out[f"delta_{c}"] = out[f"scenario_{c}"] - out[f"base_{c}"]
    out["changed"] = out[[f"delta_{c}" for c in COMPARED]].ne(0).any(axis=1) | (out.base_gap != out.scenario_gap)
    return out.drop(columns=["base_current", "delta_current"]).rename(columns={"scenario_current": "current"})


# ------------------------------------------------------------------------ scenarios side by side

SIDE_BY_SIDE = ("required_low", "required_high", "current", "short_managers", "surplus_managers", "hires")


def side_by_side(base: Base, named: dict[str, Levers], settings: Settings) -> pd.DataFrame:
    """One row per star level × scenario (in the order given): the province totals of each scenario
    (totals()), so that the scenarios of one star level sit next to each other."""
    frames = []
    for order, (name, levers) in enumerate(named.items()):
        summed = totals(project(base, levers, settings))
        frames.append(summed.assign(scenario=name, _order=order))
    out = pd.concat(frames, ignore_index=True).sort_values(["star_level", "_order"], ascending=[False, True])
    return out[["star_level", "scenario", *SIDE_BY_SIDE]].reset_index(drop=True)


def lever_table(named: dict[str, Levers], settings: Settings) -> pd.DataFrame:
    """One row per scenario: its levers, rates as fractions (growth_A = 0.2 is +20 % a year); `moves`
    as {"B>A": share}; `capacity_edited` when the scenario has its own capacity table."""
    rows = []
    for name, levers in named.items():
        rows.append({"scenario": name,
                     **{f"growth_{c}": levers.group_growth[c] for c in CLASSES},
                     "member_growth": levers.member_growth,
                     **{f"visits_{c}": levers.visits_per_quarter[c] for c in CLASSES},
                     "attrition_per_year": levers.attrition_per_year,
                     "months_to_hire": levers.months_to_hire, "horizon_months": levers.horizon_months,
                     "apply_suggested": levers.apply_suggested, "moves": dict(levers.moves),
                     "capacity_edited": bool(levers.capacity_bands)
                     and levers.capacity_bands != settings.raw["capacity"]["bands"]})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------ levers ⇄ the page's widgets
# The page keeps each lever in a widget whose session_state key starts with "staffing_"; percentages
# are shown as percent. These two functions are the whole mapping, so a saved scenario reopens exactly.

PCT = 100.0


def widget_values(levers: Levers) -> dict:
    """session_state values that show `levers` in the page's widgets (scalars only; editors: the frames below)."""
    values = {f"staffing_growth_{c}": levers.group_growth[c] * PCT for c in CLASSES}
    values |= {f"staffing_visits_{c}": float(levers.visits_per_quarter[c]) for c in CLASSES}
    values |= {"staffing_member_growth": levers.member_growth * PCT,
               "staffing_apply_suggested": bool(levers.apply_suggested),
               "staffing_attrition": levers.attrition_per_year * PCT,
               "staffing_months_to_hire": int(levers.months_to_hire),
               "staffing_horizon": int(levers.horizon_months)}
    return values


def moves_frame(levers: Levers) -> pd.DataFrame:
    """Shares (in %) of the groups of the row's class that move to the column's class; the diagonal stays empty."""
    frame = pd.DataFrame(index=list(CLASSES), columns=list(CLASSES), dtype=float)
    for src in CLASSES:
        for dst in CLASSES:
            if src != dst:
                frame.at[src, dst] = levers.moves.get(f"{src}>{dst}", 0.0) * PCT
    return frame


def moves_from_frame(frame: pd.DataFrame) -> dict[str, float]:
    return {f"{src}>{dst}": float(frame.at[src, dst]) / PCT
            for src in CLASSES for dst in CLASSES
            if src != dst and pd.notna(frame.at[src, dst]) and float(frame.at[src, dst]) != 0}


def levers_from_widgets(values, moves: pd.DataFrame, capacity: pd.DataFrame | None, settings: Settings) -> Levers:
    """The levers the page's widgets show (the inverse of widget_values / moves_frame / capacity_frame)."""
    bands = bands_from_frame(capacity) if capacity is not None else None
    if bands == settings.raw["capacity"]["bands"]:
        bands = None  # unchanged: the scenario follows settings.toml
    return Levers(group_growth={c: float(values[f"staffing_growth_{c}"]) / PCT for c in CLASSES},
                  member_growth=float(values["staffing_member_growth"]) / PCT,
                  apply_suggested=bool(values["staffing_apply_suggested"]),
                  moves=moves_from_frame(moves), capacity_bands=bands,
                  visits_per_quarter={c: float(values[f"staffing_visits_{c}"]) for c in CLASSES},
                  attrition_per_year=float(values["staffing_attrition"]) / PCT,
                  months_to_hire=int(values["staffing_months_to_hire"]),
                  horizon_months=int(values["staffing_horizon"]))
