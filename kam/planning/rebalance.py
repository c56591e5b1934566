"""Rebalancing: which groups to move so every book is within capacity and every group has a manager
of the star its class needs, changing the existing arrangement as little as possible.

It is an assignment problem, solved exactly as a 0–1 programme with CBC (through PuLP, whose wheel
ships the CBC binary, so it works offline), one branch at a time (managers serve in their branch):

- x[g, m] = 1 when group g goes to manager m, one of the managers of g's branch employed at the as-of
  time; the pair fits when m's star level is at least the one g's class needs (metrics.md: Star fit);
  u[g] = 1 when no manager has room for g at all (it is listed as needing a new manager and left out
  of every book, so no book in the proposal is ever above capacity);
- each group gets exactly one of them: Σ_m x[g, m] + u[g] = 1;
- capacity: a group takes 1 ÷ capacity_high of a full book (capacity_high from the capacity table for
  its class and its own active members, queries/pages/staffing_book.sql), so a book of n groups of one
  kind holds at most capacity_high of them, as the table says; Σ_g x[g, m] ÷ capacity_high(g) ≤ 1,
  written in whole numbers (× the least common multiple of the capacities) so the check is exact;
- minimise, in this order: groups left unplaced, groups with a manager below their star need, and
  groups moved (a group moves when its manager changes; a group without an employed manager of its
  branch always moves).

When a placement within capacity and star needs exists, the proposal finds one with the fewest moves
(tests/test_planning_rebalance.py checks it against a brute-force search).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

# Why a group moves, most specific first (labels: planning.reason.*).
NO_MANAGER, MANAGER_LEFT, OTHER_BRANCH = "no_manager", "manager_left", "other_branch"
STAR_BELOW, OVER_CAPACITY, MAKE_ROOM = "star_below_need", "over_capacity", "make_room"
# Why a group is still without a fitting manager after the proposal.
STAR_UNAVAILABLE, NO_ROOM = "star_unavailable", "no_room"
MAX_LCM = 10 ** 9


@dataclass(frozen=True)
class Proposal:
    moves: pd.DataFrame  # one row per group that moves or is still without a fitting manager
    workload: pd.DataFrame  # one row per employed manager: before and after
    moved: int  # groups moved
    unresolved: int  # groups left without a manager of their star need within capacity
    optimal: bool  # every branch solved to proven optimality
    assignment: dict  # group_id → the manager proposed, None when no manager has room (a new one is needed)


def _weights(capacities: list[float]) -> tuple[int, list[int]] | tuple[None, None]:
    """(K, [K / c]) with K the least common multiple of the capacities, when they are whole and K is small."""
    if not all(float(c).is_integer() and c > 0 for c in capacities):
        return None, None
    k = math.lcm(*{int(c) for c in capacities}) if capacities else 1
    if k > MAX_LCM:
        return None, None
    return k, [k // int(c) for c in capacities]


def load_of(capacities) -> Fraction:
    """A book's load as an exact fraction of a full book (1 = at capacity)."""
    return sum((Fraction(1) / Fraction(str(c)) for c in capacities), Fraction(0))


def _solve_branch(groups: pd.DataFrame, managers: pd.DataFrame, time_limit: float):
    """{group_id: manager_id or None (unplaced)} and whether CBC proved it optimal."""
    import pulp

    gids = list(groups.group_id)
    caps = [float(c) for c in groups.capacity_high]
    current = dict(zip(groups.group_id, groups.manager_id))
    need = dict(zip(groups.group_id, groups.star_needed))
    stars = dict(zip(managers.manager_id, managers.star_level))
    mids = list(managers.manager_id)

    prob = pulp.LpProblem("rebalance", pulp.LpMinimize)
    x = {(g, m): prob.add_variable(f"x_{i}_{j}", cat="Binary") for i, g in enumerate(gids) for j, m in enumerate(mids)}
    u = {g: prob.add_variable(f"u_{i}", cat="Binary") for i, g in enumerate(gids)}
    # Lexicographic weights: one unplaced group outweighs every star shortfall, and one star shortfall
    # outweighs every move. (A finer tie-break, such as preferring a manager whose star matches the
    # need, made CBC 10–15× slower on the sample's branches for no change in the figures that matter.)
    n = len(gids) + 1
    star_cost, unplaced_cost = n, n * n

    def cost(g, m):
        return (0 if current[g] == m else 1) + (star_cost if stars[m] < need[g] else 0)

    expr = pulp.LpAffineExpression  # built from (variable, coefficient) pairs: fast on thousands of terms
    prob += expr([(v, unplaced_cost) for v in u.values()] + [(v, cost(g, m)) for (g, m), v in x.items()])
    for g in gids:
        prob += expr([(x[g, m], 1) for m in mids] + [(u[g], 1)]) == 1
    k, weights = _weights(caps)
    for m in mids:
        if k is not None:
            prob += expr([(x[g, m], weights[i]) for i, g in enumerate(gids)]) <= k
        else:  # fractional capacities a planner typed: a float constraint with a small safety margin
            prob += expr([(x[g, m], 1.0 / caps[i]) for i, g in enumerate(gids)]) <= 1 - 1e-9
    with warnings.catch_warnings():
        # PuLP 3 warns that 4.0 will stop bundling CBC; the bundled binary is what works offline (pin pulp<4).
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=2)
    prob.solve(solver)
    optimal = pulp.LpStatus[prob.status] == "Optimal" and prob.sol_status == pulp.LpSolutionOptimal
    placed = {}
    for g in gids:
        chosen = [m for m in mids if (x[g, m].value() or 0) > 0.5]
        placed[g] = chosen[0] if chosen else None
    return placed, optimal


def _reason(row, employed: set, before_load: dict) -> str:
    if row.manager_id is None or pd.isna(row.manager_id):
        return NO_MANAGER
    if row.manager_id not in employed:
        return MANAGER_LEFT if row.manager_branch_id == row.branch_id or pd.isna(row.manager_branch_id) \
            else OTHER_BRANCH
    if row.manager_branch_id != row.branch_id:
        return OTHER_BRANCH
    if row.manager_star < row.star_needed:
        return STAR_BELOW
    if before_load.get(row.manager_id, 0) > 1:
        return OVER_CAPACITY
    return MAKE_ROOM


def propose(book: pd.DataFrame, managers: pd.DataFrame, time_limit: float = 20.0) -> Proposal:
    """The proposal for the groups of `book` (queries/pages/staffing_book.sql) and the managers employed
    at the as-of time (queries/pages/staffing_managers.sql)."""
    book = book.rename(columns={"class": "cls"})
    book["manager_id"] = book["manager_id"].astype(object).where(book["manager_id"].notna(), None)
    employed = set(managers.manager_id)
    star_of = dict(zip(managers.manager_id, managers.star_level))
    branch_of = dict(zip(managers.manager_id, managers.branch_id))
    # Before: the books as they are, counted only for employed managers of the group's own branch.
    before_caps: dict = {m: [] for m in employed}
    for r in book.itertuples():
        if r.manager_id in employed and branch_of[r.manager_id] == r.branch_id:
            before_caps[r.manager_id].append(r.capacity_high)
    before_load = {m: load_of(c) for m, c in before_caps.items()}

    placed: dict = {}
    optimal = True
    for branch, groups in book.groupby("branch_id", sort=True):
        staff = managers[managers.branch_id == branch]
        result, ok = _solve_branch(groups, staff, time_limit)
        placed |= result
        optimal &= ok

    rows, after_caps = [], {m: [] for m in employed}
    for r in book.itertuples():
        target = placed.get(r.group_id)
        if target is not None:
            after_caps[target].append(r.capacity_high)
        moved = target is not None and target != r.manager_id
        fits = target is not None and star_of[target] >= r.star_needed
        if not moved and fits:
            continue
        reason = NO_ROOM if target is None else _reason(r, employed, before_load) if moved else STAR_UNAVAILABLE
        rows.append({
            "group_id": r.group_id, "group_name": r.group_name, "branch_id": r.branch_id, "class": r.cls,
            "members": r.members, "star_needed": r.star_needed, "from_manager_id": r.manager_id,
            "from_star": star_of.get(r.manager_id, r.manager_star if pd.notna(r.manager_star) else None),
            "to_manager_id": target, "to_star": star_of.get(target), "moved": moved, "fits": fits,
            "reason": reason,
        })
    moves = pd.DataFrame(rows, columns=["group_id", "group_name", "branch_id", "class", "from_manager_id", "from_star",
                                        "to_manager_id", "to_star", "reason", "moved", "fits", "star_needed",
                                        "members"])
    after_load = {m: load_of(c) for m, c in after_caps.items()}
    workload = managers[["manager_id", "manager_name", "branch_id", "star_level"]].copy()
    workload["groups_before"] = workload.manager_id.map(lambda m: len(before_caps[m]))
    workload["load_before"] = workload.manager_id.map(lambda m: round(float(before_load[m]), 4))
    workload["groups_after"] = workload.manager_id.map(lambda m: len(after_caps[m]))
    workload["load_after"] = workload.manager_id.map(lambda m: round(float(after_load[m]), 4))
    return Proposal(moves, workload.reset_index(drop=True), int(moves.moved.astype(bool).sum()),
                    int((~moves.fits.astype(bool)).sum()),
                    optimal, placed)
