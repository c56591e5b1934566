"""Rebalancing: which groups to move so every book is within capacity and every group has a manager
of the star its class needs, changing the existing arrangement as little as possible.

It is an assignment problem, solved exactly as an integer programme with CBC (through PuLP, whose wheel
ships the CBC binary, so it works offline), one branch at a time (managers serve in their branch),
among the managers of the branch employed at the as-of time:

- a group's *kind* is (capacity_high, star needed): capacity_high from the capacity table for its class
  and its own active members (queries/pages/staffing_book.sql), the star its class needs (metrics.md:
  Star fit). Two groups of one kind weigh the same in every book and cost the same wherever they go,
  except with their own manager (where staying costs no move). So the programme counts groups rather
  than naming each one — 10–20 times fewer variables than one 0–1 variable per group × manager, which
  took CBC 13 s on the sample; the answer is the same, only the symmetric copies are gone:
  - stay[m, k] = how many of manager m's groups of kind k stay with m (0 … as many as m has);
  - move[k, m] = how many groups of kind k go to m from elsewhere (another manager, a manager who
    left or is in another branch, or none);
  - left[k] = how many groups of kind k no manager has room for (listed as needing a new manager and
    left out of every book, so no book in the proposal is ever above capacity);
- each group of a kind is placed once: Σ_m stay[m, k] + Σ_m move[k, m] + left[k] = groups of kind k;
- capacity: a group takes 1 ÷ capacity_high of a full book, so a book of n groups of one kind holds at
  most capacity_high of them, as the table says: Σ_k (stay[m, k] + move[k, m]) ÷ capacity_high(k) ≤ 1,
  written in whole numbers (× the least common multiple of the capacities) so the check is exact;
- minimise, in this order: groups left unplaced, groups with a manager below their star need, and
  groups moved (every group counted in move[·] moves; a group without an employed manager of its
  branch always moves).
The counts are then dealt out: of a manager's groups of a kind, the larger (more members) stay.

When a placement within capacity and star needs exists, the proposal finds one with the fewest moves
(tests/test_planning_rebalance.py checks it against a brute-force search).
"""
from __future__ import annotations

import math
import warnings
from collections import Counter
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
    return sum((Fraction(n) / Fraction(str(c)) for c, n in Counter(capacities).items()), Fraction(0))


def _solve_branch(groups: pd.DataFrame, managers: pd.DataFrame, time_limit: float):
    """{group_id: manager_id or None (unplaced)} and whether CBC proved it optimal.

    Groups of one kind (capacity_high, star needed) cost the same wherever they go except with their own
    manager, so the programme counts groups instead of naming them (module docstring); the counts are
    then dealt out to named groups.
    """
    import pulp

    stars = dict(zip(managers.manager_id, managers.star_level))
    mids = list(managers.manager_id)
    # Larger groups first: when only some of a manager's groups of a kind stay, the larger ones stay.
    groups = groups.sort_values(["members", "group_id"], ascending=[False, True])
    kind_of = {g: (float(c), int(s)) for g, c, s in zip(groups.group_id, groups.capacity_high, groups.star_needed)}
    current = {g: m for g, m in zip(groups.group_id, groups.manager_id) if m in stars}
    kinds = sorted(set(kind_of.values()))
    pool: dict = {k: [] for k in kinds}  # kind → its groups
    own: dict = {}  # (manager, kind) → the manager's groups of that kind today
    for g, k in kind_of.items():
        pool[k].append(g)
        if g in current:
            own.setdefault((current[g], k), []).append(g)

    prob = pulp.LpProblem("rebalance", pulp.LpMinimize)
    stay = {mk: prob.add_variable(f"s_{i}", lowBound=0, upBound=len(gs), cat="Integer")
            for i, (mk, gs) in enumerate(own.items())}
    move = {(k, m): prob.add_variable(f"z_{i}_{j}", lowBound=0, upBound=len(pool[k]), cat="Integer")
            for i, k in enumerate(kinds) for j, m in enumerate(mids)}
    left = {k: prob.add_variable(f"u_{i}", lowBound=0, upBound=len(pool[k]), cat="Integer")
            for i, k in enumerate(kinds)}
    # Lexicographic weights: one unplaced group outweighs every star shortfall, and one star shortfall
    # outweighs every move.
    n = len(groups) + 1
    star_cost, unplaced_cost = n, n * n

    def below(m, k) -> int:
        return star_cost if stars[m] < k[1] else 0

    expr = pulp.LpAffineExpression  # built from (variable, coefficient) pairs: fast on thousands of terms
    prob += expr([(v, below(m, k)) for (m, k), v in stay.items()]
                 + [(v, 1 + below(m, k)) for (k, m), v in move.items()]
                 + [(v, unplaced_cost) for v in left.values()])
    for k in kinds:  # each group of a kind stays, moves to a manager or is left unplaced
        prob += expr([(v, 1) for (_, kk), v in stay.items() if kk == k]
                     + [(move[k, m], 1) for m in mids] + [(left[k], 1)]) == len(pool[k])
    scale, weights = _weights([c for c, _ in kinds])
    weight = dict(zip(kinds, weights or []))
    for m in mids:
        book = [(v, k) for (mm, k), v in stay.items() if mm == m] + [(move[k, m], k) for k in kinds]
        if scale is not None:
            prob += expr([(v, weight[k]) for v, k in book]) <= scale
        else:  # fractional capacities a planner typed: a float constraint with a small safety margin
            prob += expr([(v, 1.0 / k[0]) for v, k in book]) <= 1 - 1e-9
    with warnings.catch_warnings():
        # PuLP 3 warns that 4.0 will stop bundling CBC; the bundled binary is what works offline (pin pulp<4).
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=2)
    prob.solve(solver)
    optimal = pulp.LpStatus[prob.status] == "Optimal" and prob.sol_status == pulp.LpSolutionOptimal

    def count(v) -> int:
        return int(round(v.value() or 0))

    placed = {}
    for (m, k), gs in own.items():
        for g in gs[:count(stay[m, k])]:
            placed[g] = m
    for k in kinds:
        movers = [g for g in pool[k] if g not in placed]
        quota = {m: count(move[k, m]) for m in mids}
        for g in movers:  # counted as moving to its own manager (never at the optimum): it simply stays
            if quota.get(current.get(g), 0) > 0:
                placed[g] = current[g]
                quota[current[g]] -= 1
        for g in (g for g in movers if g not in placed):
            m = next((m for m in mids if quota[m] > 0), None)  # None: no manager has room
            placed[g] = m
            if m is not None:
                quota[m] -= 1
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
    name_of = dict(zip(managers.manager_id, managers.manager_name))
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
        from_name = name_of.get(r.manager_id) or getattr(r, "manager_name", None)  # a manager who left: the book's
        rows.append({
            "group_name": r.group_name, "from_manager_name": from_name if pd.notna(from_name) else None,
            "to_manager_name": name_of.get(target), "reason": reason, "class": r.cls, "star_needed": r.star_needed,
            "from_star": star_of.get(r.manager_id, r.manager_star if pd.notna(r.manager_star) else None),
            "to_star": star_of.get(target), "members": r.members, "branch_name": getattr(r, "branch_name", None),
            "group_id": r.group_id, "from_manager_id": r.manager_id, "to_manager_id": target,
            "branch_id": r.branch_id, "moved": moved, "fits": fits,
        })
    # Names first (what a planner reads), codes after them (what a planner may search or send on).
    moves = pd.DataFrame(rows, columns=["group_name", "from_manager_name", "to_manager_name", "reason", "class",
                                        "star_needed", "from_star", "to_star", "members", "branch_name", "group_id",
                                        "from_manager_id", "to_manager_id", "branch_id", "moved", "fits"])
    after_load = {m: load_of(c) for m, c in after_caps.items()}
    workload = managers.reindex(columns=["manager_name", "branch_name", "star_level", "manager_id", "branch_id"])
    workload["groups_before"] = workload.manager_id.map(lambda m: len(before_caps[m]))
    workload["load_before"] = workload.manager_id.map(lambda m: round(float(before_load[m]), 4))
    workload["groups_after"] = workload.manager_id.map(lambda m: len(after_caps[m]))
    workload["load_after"] = workload.manager_id.map(lambda m: round(float(after_load[m]), 4))
    return Proposal(moves, workload.reset_index(drop=True), int(moves.moved.astype(bool).sum()),
                    int((~moves.fits.astype(bool)).sum()),
                    optimal, placed)
