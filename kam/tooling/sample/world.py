"""The world: everything that happened in the province, drawn as numpy arrays (managers, groups,
who served them when, members, revenue)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kam.tooling.sample.province import (BRANCHES, BRANDS, DEPTS, DISTRICTS, FEE_WEIGHTS, GIVEN, INDUSTRIES,
                                         INDUSTRY_P, NAME_TEMPLATES, PHONE_PREFIXES, PUBLIC_TEMPLATES, SURNAMES,
                                         VIP_P)
from kam.tooling.sample.scales import NEVER, Window, _day, _window


@dataclass
class World:
    """Everything that happened in the province, as arrays indexed by entity number.

    Days are day numbers since 1970-01-01, times seconds since then; NEVER (days) or -1
    (seconds) stands for "not (yet)".
    """
    win: Window
    branch_w: np.ndarray
    # managers
    m_branch: np.ndarray
    m_star: np.ndarray
    m_staff: np.ndarray
    m_hire: np.ndarray
    m_leave: np.ndarray
    m_diligence: np.ndarray
    m_book: np.ndarray      # relative size of the book a manager is handed
    m_name: list[str]
    # groups
    g_class: np.ndarray
    g_branch: np.ndarray
    g_industry: np.ndarray
    g_gov: np.ndarray
    g_open: np.ndarray
    g_close: np.ndarray
    g_name: list[str]
    g_manager: np.ndarray   # current manager, -1 unassigned
    # assignment history: first manager from a_start, then from a_change the current one
    a_first: np.ndarray
    a_start: np.ndarray
    a_change: np.ndarray
    # members
    s_group: np.ndarray
    s_phone: np.ndarray
    s_vip: np.ndarray
    s_join: np.ndarray
    s_leave: np.ndarray
    g_first_member: np.ndarray
    g_members: np.ndarray
    # money
    revenue: np.ndarray      # [group, month] yuan
    fee_share: np.ndarray    # [group, fee item]

    @property
    def n_groups(self) -> int:
        return len(self.g_class)

    def manager_on(self, groups: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Who served each group on that day (-1: nobody), from the assignment history."""
        return np.where(days < self.a_change[groups], self.a_first[groups], self.g_manager[groups])

    def group_active(self, groups: np.ndarray, days: np.ndarray) -> np.ndarray:
        return (self.g_open[groups] <= days) & (days < self.g_close[groups])


def build_world(rng: np.random.Generator, n_groups: int, n_members: int, months: int) -> World:
    win = _window(months)
    branch_w = np.array([b[2] for b in BRANCHES])
    branch_w = branch_w / branch_w.sum()
    mgr = _managers(rng, n_groups, win, branch_w)
    grp = _groups(rng, n_groups, win, branch_w, mgr)
    hist = _history(rng, win, mgr, grp)
    mem = _members(rng, n_members, win, grp, hist)
    rev, share = _revenue(rng, win, grp)
    return World(win=win, branch_w=branch_w, **mgr, **grp, **hist, **mem, revenue=rev, fee_share=share)


# Groups one manager serves at the typical book of each class (A ~300 members, B ~60, C ~12),
# by the default capacity table (settings.toml [capacity]): three-star / A about the middle of its
# range, two-star / B and one-star / C at its high end, as ~18% of the groups are served by a
# manager of another star level. The headcount is drawn around what the groups need.
GROUPS_PER_MANAGER = np.array([8.0, 22.0, 45.0])   # by class A, B, C (star 3, 2, 1)
CLASS_SHARE = np.array([0.10, 0.30, 0.60])


def _managers(rng, n_groups: int, win: Window, branch_w: np.ndarray) -> dict:
    """Each branch's managers of each star level, drawn around what its groups need (some branches
    short, some over, as a real province); ~12% leave during the window and are replaced."""
    needed = branch_w[:, None] * n_groups * CLASS_SHARE[None, :] / GROUPS_PER_MANAGER[None, :]
    # Staffing runs from ~35% short to ~35% over the need, by branch and star level.
    staffed = needed * rng.uniform(0.65, 1.35, needed.shape)
    per_cell = np.maximum(1, np.round(staffed)).astype(int)          # [branch, class]
    branch = np.repeat(np.repeat(np.arange(len(BRANCHES)), 3), per_cell.ravel())
    star = np.repeat(np.tile([3, 2, 1], len(BRANCHES)), per_cell.ravel())
    n = len(branch)
    hire = rng.integers(_day("2008-01-01"), win.first - 60, n)
    leave = np.full(n, NEVER, dtype=np.int64)
    leavers = np.sort(rng.choice(n, max(1, round(0.12 * n)), replace=False))
    span = max(win.last - win.first - 40, 1)
    leave[leavers] = win.first + 10 + rng.integers(0, span, len(leavers))
    # The replacement takes the leaver's seat, often one star lower, hired around the leave date.
    r_star = np.maximum(1, star[leavers] - (rng.random(len(leavers)) < 0.3))
    r_hire = np.clip(leave[leavers] + rng.integers(-10, 40, len(leavers)), win.first, win.last - 1)
    branch = np.concatenate([branch, branch[leavers]])
    star = np.concatenate([star, r_star])
    hire = np.concatenate([hire, r_hire])
    leave = np.concatenate([leave, np.full(len(leavers), NEVER)])
    # Ids follow the hiring order, as an HR system hands them out.
    order = np.argsort(hire, kind="stable")
    n = len(order)
    staff = rng.random(n) < np.array([.25, .40, .55])[star[order] - 1]  # ~65% outsourced overall
    # Some managers are diligent, some neglect their visits.
    kind = rng.choice(3, n, p=[.2, .6, .2])
    diligence = np.choose(kind, [rng.uniform(.25, .6, n), rng.uniform(.8, 1.15, n), rng.uniform(1.15, 1.6, n)])
    # Books differ in size: a branch hands some managers more groups than others.
    book = np.exp(0.25 * rng.standard_normal(n))
    return dict(m_branch=branch[order], m_star=star[order], m_staff=staff, m_hire=hire[order],
                m_leave=leave[order], m_diligence=diligence, m_book=book, m_name=_person_names(rng, n))


def _person_names(rng, n: int) -> list[str]:
    sur = rng.choice(SURNAMES, n)
    g1 = rng.choice(GIVEN, n)
    g2 = rng.choice(GIVEN, n)
    two = rng.random(n) < 0.6
    return [s + a + (b if t else "") for s, a, b, t in zip(sur, g1, g2, two)]


def _groups(rng, n_groups: int, win: Window, branch_w: np.ndarray, mgr: dict) -> dict:
    n_a, n_b = round(0.10 * n_groups), round(0.30 * n_groups)
    cls = rng.permutation(np.repeat([0, 1, 2], [n_a, n_b, n_groups - n_a - n_b]))
    branch = rng.choice(len(BRANCHES), n_groups, p=branch_w)
    u = rng.random(n_groups)
    industry = (u[:, None] > INDUSTRY_P[cls].cumsum(axis=1)).sum(axis=1)
    # Most groups are years old; ~7% opened during the window, ~2% closed in it.
    open_day = rng.integers(_day("2003-01-01"), win.first - 30, n_groups)
    new = rng.random(n_groups) < 0.07
    open_day[new] = win.first + rng.integers(0, max(win.last - win.first - 30, 1), new.sum())
    close = np.full(n_groups, NEVER, dtype=np.int64)
    closing = ~new & (rng.random(n_groups) < 0.02)
    close[closing] = win.first + 15 + rng.integers(0, max(win.last - win.first - 20, 1), closing.sum())
    manager = _current_managers(rng, cls, branch, mgr)
    manager[rng.random(n_groups) < 0.025] = -1
    names, public = _group_names(rng, industry, branch)
    return dict(g_class=cls, g_branch=branch, g_industry=industry, g_gov=public, g_open=open_day,
                g_close=close, g_name=names, g_manager=manager)


def _current_managers(rng, cls, branch, mgr: dict) -> np.ndarray:
    """An employed manager of the group's branch, whose star mostly (82%) fits the class."""
    manager = np.full(len(cls), -1, dtype=np.int64)
    employed = mgr["m_leave"] == NEVER
    fits = rng.random(len(cls)) < 0.82
    for b in range(len(BRANCHES)):
        pool = np.flatnonzero(employed & (mgr["m_branch"] == b))
        if not len(pool):
            pool = np.flatnonzero(employed)
        mine = branch == b
        for star in (1, 2, 3):
            starred = pool[mgr["m_star"][pool] == star]
            sel = np.flatnonzero(mine & fits & (3 - cls == star))
            if len(starred):
                manager[sel] = rng.choice(starred, len(sel), p=_weights(mgr["m_book"][starred]))
        rest = np.flatnonzero(mine & (manager < 0))
        manager[rest] = rng.choice(pool, len(rest), p=_weights(mgr["m_book"][pool]))
    return manager


def _weights(w: np.ndarray) -> np.ndarray:
    return w / w.sum()


def _group_names(rng, industry, branch) -> tuple[list[str], np.ndarray]:
    """A name for each group, and whether it is a public body (sector `government`):
    government offices, public schools and hospitals."""
    n = len(industry)
    pick = rng.integers(0, 1 << 30, (n, 5)).tolist()
    names, public = [], np.zeros(n, dtype=bool)
    for i, (ind, b, p) in enumerate(zip(INDUSTRIES[industry].tolist(), branch.tolist(), pick)):
        templates = NAME_TEMPLATES[ind]
        t = p[0] % len(templates)
        public[i] = ind == "政府" or (ind, t) in PUBLIC_TEMPLATES
        names.append(templates[t].format(
            c=BRANCHES[b][1], b=BRANDS[p[1] % len(BRANDS)], d=DEPTS[p[2] % len(DEPTS)],
            x=DISTRICTS[p[3] % len(DISTRICTS)], n=1 + p[4] % 30))
    return names, public


def _history(rng, win: Window, mgr: dict, grp: dict) -> dict:
    """Who served each group before its current manager, and since when.

    A leaver's groups pass to the manager hired in their place; some other groups are moved
    between employed managers (rebalancing); a few unassigned groups lost their manager when
    he left and nobody took them over yet.
    """
    cur, opened, branch = grp["g_manager"], grp["g_open"], grp["g_branch"]
    hire, leave = mgr["m_hire"], mgr["m_leave"]
    n = len(cur)
    first = cur.copy()
    change = np.full(n, NEVER, dtype=np.int64)
    # Each replacement hire (hired in the window, into a leaver's seat) inherits from a leaver.
    leavers = np.flatnonzero(leave < NEVER)
    for lv in leavers:
        heirs = np.flatnonzero((cur >= 0) & (mgr["m_branch"][np.maximum(cur, 0)] == mgr["m_branch"][lv])
                               & (hire[np.maximum(cur, 0)] >= leave[lv] - 10)
                               & (hire[np.maximum(cur, 0)] <= leave[lv] + 40)
                               & (opened < leave[lv] - 30) & (change == NEVER))
        first[heirs] = lv
        change[heirs] = np.maximum(leave[lv] + 1, hire[cur[heirs]])
    # Rebalancing: an employed colleague of the branch served the group until a day in the window.
    moved = (cur >= 0) & (change == NEVER) & (opened < win.first - 30) & (rng.random(n) < 0.06)
    day = win.first + rng.integers(0, max(win.last - win.first, 1), n)
    for g in np.flatnonzero(moved):
        pool = np.flatnonzero((mgr["m_branch"] == branch[g]) & (leave == NEVER)
                              & (hire < day[g] - 30) & (np.arange(len(hire)) != cur[g]))
        if len(pool):
            first[g] = pool[rng.integers(len(pool))]
            change[g] = day[g]
    # Orphans: an unassigned group whose manager left.
    for g in np.flatnonzero(cur < 0):
        pool = leavers[(mgr["m_branch"][leavers] == branch[g]) & (leave[leavers] > opened[g] + 30)]
        if len(pool) and rng.random() < 0.5:
            first[g] = pool[rng.integers(len(pool))]
            change[g] = leave[first[g]] + 1
    start = np.where(first >= 0, np.maximum(opened, hire[np.maximum(first, 0)]), NEVER)
    return dict(a_first=first, a_start=start, a_change=change)


def _member_counts(rng, cls: np.ndarray, total: int) -> np.ndarray:
    """Heavy-tailed sizes by class (A hundreds to thousands, B tens to hundreds, C a few to ~50),
    scaled so that they add up to `total`."""
    median = np.array([280.0, 55.0, 11.0])[cls]
    sigma = np.array([0.8, 0.7, 0.7])[cls]
    lo, hi = np.array([100, 10, 2])[cls], np.array([5000, 400, 50])[cls]
    raw = np.clip(median * np.exp(sigma * rng.standard_normal(len(cls))), lo, hi)
    counts = np.maximum(1, np.floor(raw * total / raw.sum())).astype(np.int64)
    short = total - counts.sum()
    if short > 0:  # hand the rounding remainder to random groups, biggest first
        np.add.at(counts, rng.choice(len(cls), short, p=raw / raw.sum()), 1)
    elif short < 0:
        for g in np.argsort(-counts, kind="stable")[: -short]:
            counts[g] -= 1
    return counts


def _members(rng, total: int, win: Window, grp: dict, hist: dict) -> dict:
    cls, opened, closed = grp["g_class"], grp["g_open"], grp["g_close"]
    counts = _member_counts(rng, cls, total)
    g = np.repeat(np.arange(len(cls)), counts)
    n = len(g)
    last = np.minimum(win.last, closed[g] - 1)
    # Most members joined before the window; ~15% of an old group's members joined during it.
    old = opened[g] < win.first
    during = rng.random(n) < 0.15
    u = rng.random(n)
    before = opened[g] + (u * (win.first - opened[g])).astype(np.int64)
    inside_from = np.maximum(opened[g], win.first)
    inside = inside_from + ((u ** 1.5) * np.maximum(last - inside_from, 0)).astype(np.int64)
    join = np.where(old & ~during, before, inside)
    # Monthly churn ~0.5-1.5%, higher in some branches and some groups.
    churn_mult = np.array([b[4] for b in BRANCHES])[grp["g_branch"]]
    group_factor = np.exp(0.4 * rng.standard_normal(len(cls)))
    hazard = 0.008 * churn_mult[g] * group_factor[g] / 30.44
    leave = np.maximum(join, win.first) + 1 + rng.exponential(1 / hazard).astype(np.int64)
    # A change of manager unsettles the group: for six months after it, members leave at about
    # 1.8 times the usual rate (some of the relationship walks out with the old manager).
    change = hist["a_change"][g]
    unsettled = (change < NEVER) & (join < change)
    after = change + 1 + rng.exponential(1 / (0.8 * hazard)).astype(np.int64)
    leave = np.where(unsettled & (after < change + 183) & (after < leave), after, leave)
    leave = np.where(leave > win.last, NEVER, leave)
    leave = np.where(closed[g] < NEVER, np.minimum(leave, closed[g]), leave)
    leave = np.maximum(leave, join + 1)
    vip = (rng.random(n)[:, None] > VIP_P[cls[g]].cumsum(axis=1)).sum(axis=1)
    # Distinct 11-digit numbers: an affine bijection of the member number modulo 10^8.
    # (multipliers odd and not multiples of 5, so coprime to 10^8)
    a = int(rng.choice([386169, 556969, 134457, 314969, 325537]))
    b = int(rng.integers(0, 10**8))
    suffix = (np.arange(n, dtype=np.int64) * a + b) % 10**8
    phone = rng.choice(PHONE_PREFIXES, n) * 10**8 + suffix
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return dict(s_group=g, s_phone=phone, s_vip=vip, s_join=join, s_leave=leave,
                g_first_member=first, g_members=counts)


def _season(labels: list[str]) -> np.ndarray:
    """Month factors: a Chinese New Year dip (2025-01/02, 2026-02), a year-end ICT push."""
    by_month = {1: .97, 2: .91, 3: .99, 4: 1.0, 5: 1.0, 6: 1.02, 7: .98, 8: .98, 9: 1.01,
                10: .99, 11: 1.01, 12: 1.05}
    cny = {"2025-01": .95, "2025-02": .97, "2026-02": .93}
    return np.array([by_month[int(m[5:])] * cny.get(m, 1.0) for m in labels])


def _revenue(rng, win: Window, grp: dict) -> tuple[np.ndarray, np.ndarray]:
    """Monthly revenue of each group and its split over fee items.

    Revenue fits the class (A >= 30k yuan, B 5k-30k, C below) except for ~7% of groups that
    have grown out of or fallen below theirs; ~3% drop by more than 30% in the last month.
    """
    cls = grp["g_class"]
    n, months = len(cls), len(win.labels)
    earns_like = cls.copy()
    misfit = rng.random(n) < 0.10
    earns_like[misfit] = np.clip(cls[misfit] + rng.choice([-1, 1], misfit.sum()), 0, 2)
    base = np.choose(earns_like, [
        np.maximum(32_000, np.exp(np.log(65_000) + 0.7 * rng.standard_normal(n))),
        np.exp(rng.uniform(np.log(6_500), np.log(27_000), n)),
        np.clip(np.exp(np.log(1_300) + 0.8 * rng.standard_normal(n)), 150, 4_500),
    ])
    growth = rng.normal(0.05, 0.10, n)
    t = np.arange(months) - (months - 1)
    rev = base[:, None] * (1 + growth[:, None]) ** (t / 12) * _season(win.labels)
    rev *= np.exp(0.06 * rng.standard_normal((n, months)))
    active = (grp["g_open"][:, None] <= win.end) & (grp["g_close"][:, None] > win.start)
    first_month = (grp["g_open"][:, None] >= win.start) & (grp["g_open"][:, None] <= win.end)
    rev = np.where(active, rev, 0.0) * np.where(first_month, 0.5, 1.0)
    drops = active[:, -1] & (rng.random(n) < 0.03)
    rev[drops, -1] *= rng.uniform(0.3, 0.62, drops.sum())
    share = rng.gamma(FEE_WEIGHTS[cls] * 12 + 1e-3)   # Dirichlet around the class's mix
    share /= share.sum(axis=1, keepdims=True)
    share[share < np.array([.02, .04, .06])[cls][:, None]] = 0.0
    share[share.sum(axis=1) == 0, 0] = 1.0
    share /= share.sum(axis=1, keepdims=True)
    return rev, share


def assignments(w: World) -> dict:
    """One row per manager period: the first manager (ended the day before the change), then the current."""
    g1 = np.flatnonzero(w.a_first >= 0)
    end1 = np.where(w.a_change[g1] < NEVER, w.a_change[g1] - 1, NEVER)
    g2 = np.flatnonzero((w.a_change < NEVER) & (w.g_manager >= 0))
    start2 = w.a_change[g2]
    group = np.concatenate([g1, g2])
    order = np.lexsort((np.concatenate([w.a_start[g1], start2]), group))
    return dict(group=group[order], manager=np.concatenate([w.a_first[g1], w.g_manager[g2]])[order],
                start=np.concatenate([w.a_start[g1], start2])[order],
                end=np.concatenate([end1, np.full(len(g2), NEVER)])[order])
