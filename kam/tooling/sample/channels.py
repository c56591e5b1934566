"""The three channels of events drawn from the world: visits (yellow), orders (green), complaints (red)."""
from __future__ import annotations

import numpy as np

from kam.tooling.sample.province import (BRANCHES, CATEGORIES, CHANNELS, FEE_ITEMS, RESOLVE_H, RESPONSE_H,
                                         THEMES, VISIT_CULTURE, VISITS_PER_MONTH)
from kam.tooling.sample.world import World


def _expand(rng, w: World, rate: np.ndarray):
    """Poisson counts per group x month → (group, day) of each event, inside the month."""
    return _place(rng, w, rng.poisson(rate))


def _place(rng, w: World, counts: np.ndarray):
    """Counts per group x month → (group, day) of each event, on random days of the month."""
    g, m = np.nonzero(counts)
    k = counts[g, m]
    g, m = np.repeat(g, k), np.repeat(m, k)
    length = w.win.end[m] - w.win.start[m] + 1
    day = w.win.start[m] + (rng.random(len(g)) * length).astype(np.int64)
    return g, day


def _in_service(w: World, g: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Events a serving manager could have made: the group active, the manager employed."""
    mgr = w.manager_on(g, day)
    safe = np.maximum(mgr, 0)
    ok = (mgr >= 0) & w.group_active(g, day) & (day >= w.m_hire[safe]) & (day <= w.m_leave[safe])
    return ok, mgr


def visits(rng, w: World) -> dict:
    """The yellow channel: managers plan their visits to the standard, and a month keeps to the plan
    with a chance set by the manager's diligence and the branch's habits; a missed month has fewer
    visits. On top come a few extra visits, and the customers' own visits (`received`, not counted).
    """
    mid = (w.win.start + w.win.end) // 2
    groups = np.arange(w.n_groups)
    mgr_mid = w.manager_on(groups[:, None], mid[None, :])
    dil = np.where(mgr_mid >= 0, w.m_diligence[np.maximum(mgr_mid, 0)], 0.0)
    culture = np.array([VISIT_CULTURE[b[0]] for b in BRANCHES])[w.g_branch][:, None]
    keeps = np.clip(culture * (0.75 + 0.2 * dil), 0.0, 0.98) * (mgr_mid >= 0)
    months = len(w.win.labels)
    cls = w.g_class[:, None] * np.ones((1, months), dtype=np.int64)
    # A and B: 2 and 1 visits a month; a missed month has fewer. C (one a quarter): a visit in a
    # month with the chance that gives three months ending with it the kept rate.
    kept = rng.random(keeps.shape) < keeps
    standard = np.array([2, 1, 0])[cls]
    planned = np.where(kept, standard, rng.integers(0, np.maximum(standard, 1)))
    c_month = rng.random(keeps.shape) < 1 - (1 - keeps) ** (1 / 3)
    planned = np.where(cls == 2, c_month, planned) + rng.poisson(0.1 * VISITS_PER_MONTH[cls])
    received = rng.poisson(0.15 * VISITS_PER_MONTH[cls])
    g_c, day_c = _place(rng, w, planned)
    g_r, day_r = _expand(rng, w, received)
    counted = np.concatenate([np.ones(len(g_c), dtype=bool), np.zeros(len(g_r), dtype=bool)])
    g, day = np.concatenate([g_c, g_r]), np.concatenate([day_c, day_r])
    ok, mgr = _in_service(w, g, day)
    g, day, mgr = g[ok], day[ok], mgr[ok]
    counted = counted[ok]
    order = np.lexsort((g, mgr, day))
    g, day, mgr, counted = g[order], day[order], mgr[order], counted[order]
    n = len(g)
    kind = np.where(counted, np.where(rng.random(n) < 0.17, "care", "visit"), "received")
    quarter = (_month_numbers(day) - 1) // 3
    theme = np.where(kind == "care", THEMES[quarter], "")
    theme[(kind == "care") & (rng.random(n) < 0.08)] = ""   # not every care visit records a theme
    return dict(visit_id=np.array([f"V{i:07d}" for i in range(1, n + 1)]), manager=mgr, group=g,
                day=day, kind=kind, theme=theme)


def _month_numbers(days: np.ndarray) -> np.ndarray:
    return (days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12) + 1


ORDER_PRODUCTS = np.array([  # what orders are for, by class
    [.08, .10, .02, .30, .05, .08, .07, .28, .02],
    [.18, .20, .04, .18, .08, .14, .04, .12, .02],
    [.30, .30, .06, .06, .08, .16, .01, .01, .02],
])
ORDER_VALUE = dict(voice=1500, data=1800, sms=300, line=3500, fixed=600, vnet=500,
                   conference=800, ict=9000, other=500)


def orders(rng, w: World) -> dict:
    """The green channel: visited → handled → contracted → built → activated, with drop-off."""
    rate = np.array([0.25, 0.08, 0.025])[w.g_class][:, None] * np.ones(len(w.win.labels))
    g, day = _expand(rng, w, rate)
    ok, mgr = _in_service(w, g, day)
    g, day, mgr = g[ok], day[ok], mgr[ok]
    n = len(g)
    visited = day * 86400 + rng.integers(9 * 3600, 18 * 3600, n)
    product = (rng.random(n)[:, None] > ORDER_PRODUCTS[w.g_class[g]].cumsum(axis=1)).sum(axis=1)
    heavy = np.isin(product, [3, 7])  # lines and ICT need real building work
    gaps_days = [
        rng.lognormal(np.log(3), 0.6, n),                                            # handled
        rng.lognormal(np.log(10), 0.6, n),                                           # contracted
        np.where(heavy, rng.lognormal(np.log(25), 0.5, n), rng.lognormal(np.log(2), 0.7, n)),
        rng.lognormal(np.log(1.5), 0.7, n),                                          # activated
    ]
    conversion = [0.70, 0.60, 0.85, 0.90]
    stages = [visited]
    alive = np.ones(n, dtype=bool)
    end = (w.win.last + 1) * 86400 - 1
    for gap, p in zip(gaps_days, conversion):
        t = _office_hours(rng, stages[-1] + (gap * 86400).astype(np.int64))
        alive &= (rng.random(n) < p) & (t <= end)   # the stage was reached, and before the data ends
        stages.append(np.where(alive, t, -1))
    value = np.array([ORDER_VALUE[p] for p in FEE_ITEMS])[product] * np.where(w.g_class[g] == 0, 2.0, 1.0)
    value = np.round(value * rng.lognormal(0, 0.5, n), 2)
    order = np.lexsort((g, visited))
    cols = dict(group=g, manager=mgr, product=FEE_ITEMS[product], visited=stages[0], handled=stages[1],
                contracted=stages[2], built=stages[3], activated=stages[4], value=value)
    cols = {k: v[order] for k, v in cols.items()}
    cols["order_id"] = np.array([f"GD{i:07d}" for i in range(1, n + 1)])
    return cols


def _office_hours(rng, t: np.ndarray) -> np.ndarray:
    """Move times outside 09:00-19:00 to the next opening hour: orders are worked in the day."""
    tod = t % 86400
    opening = t - tod + 9 * 3600 + rng.integers(0, 2 * 3600, len(t))
    return np.where(tod < 9 * 3600, opening, np.where(tod > 19 * 3600, opening + 86400, t))


def complaints(rng, w: World) -> dict:
    """The red channel: SLA targets by class and severity, some breached, some repeats, some open."""
    rate = np.array([0.12, 0.04, 0.012])[w.g_class][:, None] * np.ones(len(w.win.labels))
    g, day = _expand(rng, w, rate)
    ok = w.group_active(g, day)
    g, day = g[ok], day[ok]
    # Repeat complaints: the same group again within 30 days.
    rep = rng.random(len(g)) < 0.12
    g = np.concatenate([g, g[rep]])
    day = np.concatenate([day, day[rep] + rng.integers(1, 30, rep.sum())])
    # A handful created on the last day, still open when the data was exported.
    open_now = np.flatnonzero(w.group_active(np.arange(w.n_groups), np.full(w.n_groups, w.win.last)))
    fresh = rng.choice(open_now, 6)
    g = np.concatenate([g, fresh])
    day = np.concatenate([day, np.full(6, w.win.last)])
    is_fresh = np.arange(len(g)) >= len(g) - 6
    keep = (day <= w.win.last) & w.group_active(g, day)
    g, day, is_fresh = g[keep], day[keep], is_fresh[keep]
    n = len(g)
    hour_p = np.array([1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1], float)
    created = day * 86400 + rng.choice(24, n, p=hour_p / hour_p.sum()) * 3600 + rng.integers(0, 3600, n)
    sev = rng.choice([1, 2, 3], n, p=[.15, .35, .50])
    cls = w.g_class[g]
    mgr = w.manager_on(g, day)
    careless = np.where(mgr >= 0, w.m_diligence[np.maximum(mgr, 0)] < 0.7, True)
    resp_target, res_target = RESPONSE_H[cls, sev - 1], RESOLVE_H[cls, sev - 1]
    resp_breach = rng.random(n) < np.where(careless, 0.25, 0.08)
    res_breach = rng.random(n) < np.where(careless, 0.28, 0.10)
    resp_h = resp_target * np.where(resp_breach, rng.uniform(1.2, 4, n), rng.uniform(0.05, 0.95, n))
    res_h = res_target * np.where(res_breach, rng.uniform(1.1, 3, n), rng.uniform(0.15, 0.95, n))
    res_h = np.maximum(res_h, resp_h + rng.uniform(0.2, 2, n))
    follow_late = rng.random(n) < 0.10
    follow_h = np.where(follow_late, rng.uniform(73, 200, n), rng.uniform(2, 70, n))
    followed = rng.random(n) < 0.85
    # Of the fresh ones, two are not answered yet and the others answered but not resolved.
    fresh_at = np.flatnonzero(is_fresh)
    resp_h[fresh_at[:2]] = 1e5
    resp_h[fresh_at[2:]] = np.minimum(resp_h[fresh_at[2:]], 0.5)
    res_h[fresh_at] = 1e5
    end = (w.win.last + 1) * 86400 - 1
    resp = created + (resp_h * 3600).astype(np.int64)
    res = created + (res_h * 3600).astype(np.int64)
    fol = res + (follow_h * 3600).astype(np.int64)
    resp = np.where(resp <= end, resp, -1)
    res = np.where((res <= end) & (resp >= 0), res, -1)
    fol = np.where((fol <= end) & (res >= 0) & followed, fol, -1)
    sat = rng.choice([5, 4, 3, 2, 1], n, p=[.55, .28, .10, .04, .03])
    sat = np.clip(sat - (resp_breach | res_breach | follow_late) * rng.integers(1, 3, n), 1, 5)
    sat = np.where(fol >= 0, sat, 0)  # satisfaction is asked at the follow-up call
    # A subscriber number on ~40% of tickets (a member of the group, when it has any).
    has = (w.g_members[g] > 0) & (rng.random(n) < 0.4)
    pick = w.g_first_member[g] + (rng.random(n) * w.g_members[g]).astype(np.int64)
    subscriber = np.where(has, w.s_phone[np.minimum(pick, len(w.s_phone) - 1)], -1)
    cols = dict(group=g, subscriber=subscriber,
                category=rng.choice(CATEGORIES, n, p=[.22, .10, .25, .15, .20, .08]),
                severity=sev, channel=rng.choice(CHANNELS, n, p=[.45, .25, .15, .15]),
                created=created, response=resp, resolved=res, followup=fol, satisfaction=sat)
    order = np.argsort(created, kind="stable")
    cols = {k: v[order] for k, v in cols.items()}
    cols["ticket_id"] = np.array([f"TS{i:07d}" for i in range(1, n + 1)])
    return cols
