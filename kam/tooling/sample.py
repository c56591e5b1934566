"""A realistic, deterministic export folder for one province: the bundled sample and the benchmarks.

`write_sample(folder)` writes what a province's BOSS and CRM would export for 24 months ending
2026-10 (see ../shared/spec/exports.md): branches, managers, groups, members, monthly bills,
visits, orders, complaints and the manager history. The sample scale mixes the file names,
formats, encodings and header languages met in the field and plants a few rows of every error
the contract sets aside, so the data-quality view has something honest to show; the returned
dict lists each planted row, file and line so tests can check the reader finds it.

The M and L scales (`SCALES`) are clean UTF-8 CSV for benchmarks. Everything is vectorised
(numpy arrays, DuckDB SQL writing the bills), so L's ~60 million billing rows take minutes.

Same seed, same bytes: all randomness comes from one `numpy.random.default_rng(seed)` drawn in a
fixed order (or, in SQL, from `hash()` of row numbers and the seed), and no wall clock is read.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

Progress = Callable[[str], None] | None


# ---------------------------------------------------------------- scales and the calendar

@dataclass(frozen=True)
class Scale:
    groups: int
    members: int
    months: int
    description: str


SCALES: dict[str, Scale] = {
    "sample": Scale(3_000, 200_000, 24,
                    "~3,000 groups, ~200k members, ~450k billing rows in mixed files with planted flaws"),
    "M": Scale(10_000, 500_000, 24,
               "10,000 groups, 500k members, ~12M billing rows, clean UTF-8 CSV"),
    "L": Scale(50_000, 2_500_000, 24,
               "50,000 groups, 2.5M members, ~60M billing rows, clean UTF-8 CSV"),
}

LAST_MONTH = (2026, 10)  # the data ends 2026-10-31: the as-of time never depends on the wall clock
NEVER = 1_000_000_000    # day number standing for "no leave/close date": compares after any real day
EPOCH = dt.date(1970, 1, 1)


def _day(text: str) -> int:
    return (dt.date.fromisoformat(text) - EPOCH).days


@dataclass(frozen=True)
class Window:
    """The months of the bills: `months` calendar months ending LAST_MONTH."""
    labels: list[str]      # 'YYYY-MM'
    start: np.ndarray      # day number of each month's first day
    end: np.ndarray        # day number of each month's last day

    @property
    def first(self) -> int:
        return int(self.start[0])

    @property
    def last(self) -> int:
        return int(self.end[-1])


def _window(months: int) -> Window:
    year, month = LAST_MONTH
    labels, starts = [], []
    for k in range(months - 1, -1, -1):
        y, m = divmod(year * 12 + month - 1 - k, 12)
        labels.append(f"{y:04d}-{m + 1:02d}")
        starts.append((dt.date(y, m + 1, 1) - EPOCH).days)
    start = np.array(starts, dtype=np.int64)
    y, m = divmod(year * 12 + month, 12)
    end = np.append(start[1:], (dt.date(y, m + 1, 1) - EPOCH).days) - 1
    return Window(labels, start, end)


# ---------------------------------------------------------------- the province

# (id, city, share of the province's business, management model, member-churn multiplier):
# the east-delta cities are big and churn little, the west and east wings churn more.
BRANCHES = [
    ("GZ", "广州", 0.17, "vertical", 0.9), ("SZ", "深圳", 0.19, "parallel", 1.0),
    ("FS", "佛山", 0.10, "parallel", 0.9), ("DG", "东莞", 0.10, "support", 1.1),
    ("ZH", "珠海", 0.05, "support", 0.8), ("ST", "汕头", 0.05, "support", 1.7),
    ("HZ", "惠州", 0.06, "parallel", 1.0), ("ZS", "中山", 0.05, "support", 0.9),
    ("JM", "江门", 0.05, "support", 1.2), ("ZJ", "湛江", 0.05, "vertical", 1.8),
    ("MM", "茂名", 0.04, "support", 1.6), ("ZQ", "肇庆", 0.04, "support", 1.3),
]
MGMT_ZH = {"support": "支撑式", "parallel": "并列式", "vertical": "垂直式"}

CLASSES = np.array(["A", "B", "C"])
INDUSTRIES = np.array(["政府", "金融", "教育", "医疗", "制造", "交通物流", "商贸", "其他"])
INDUSTRY_P = np.array([  # by class A, B, C: government and finance are the big accounts
    [.25, .20, .10, .10, .15, .08, .07, .05],
    [.12, .10, .12, .10, .22, .10, .14, .10],
    [.05, .04, .08, .06, .27, .10, .25, .15],
])
FEE_ITEMS = np.array(["voice", "data", "sms", "line", "fixed", "vnet", "conference", "ict", "other"])
FEE_ZH = dict(zip(FEE_ITEMS, ["语音", "流量", "短信", "专线", "固话", "集团V网", "会议电话", "信息化", "其他"]))
FEE_WEIGHTS = np.array([  # by class: leased lines and ICT are what the A groups buy
    [.18, .22, .03, .25, .05, .05, .03, .17, .02],
    [.30, .30, .05, .12, .07, .08, .02, .04, .02],
    [.42, .36, .06, .02, .06, .06, .00, .00, .02],
])
VIP_TIERS = np.array(["diamond", "gold", "silver", "vip", "none"])
VIP_ZH = {"diamond": "钻石卡", "gold": "金卡", "silver": "银卡", "vip": "贵宾卡", "none": "普通"}
VIP_P = np.array([[.04, .12, .18, .21, .45], [.02, .08, .15, .20, .55], [.01, .05, .12, .17, .65]])

VISITS_PER_MONTH = np.array([2.0, 1.0, 1 / 3])   # the visit standard: A 2/month, B 1, C 1/quarter
KIND_ZH = {"visit": "走访", "received": "来访", "care": "关怀"}
THEMES = np.array(["reward", "communicate", "upgrade", "optimize"])   # care theme of Q1..Q4
THEME_ZH = {"reward": "回馈", "communicate": "沟通", "upgrade": "提升", "optimize": "优化"}

# Complaint SLA targets in hours, [class][severity-1] (metrics.md, red channel).
RESPONSE_H = np.array([[1, 2, 4], [2, 4, 8], [4, 8, 24]], dtype=float)
RESOLVE_H = np.array([[4, 24, 48], [8, 48, 72], [24, 72, 120]], dtype=float)
CATEGORIES = np.array(["billing", "attitude", "network", "provisioning", "fault", "other"])
CHANNELS = np.array(["hotline", "manager", "store", "online"])
CHANNEL_ZH = {"hotline": "热线", "manager": "客户经理", "store": "营业厅", "online": "网上"}

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程苏魏吕丁沈姚卢钟")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲芬燕彬斌宇浩凯健俊帆旭宁晨欣怡嘉琪涵轩婷鹏远慧海峰博")
BRANDS = ["华信", "粤海", "恒通", "金源", "明德", "新锐", "宏达", "鸿运", "海纳", "天成", "广联", "嘉禾",
          "汇通", "博雅", "瑞丰", "永安", "盛世", "东方", "南方", "誉达", "佳美", "智联", "卓越", "康泰",
          "润丰", "美雅", "立信", "众诚", "兴业", "创达", "信诚", "安泰"]
DEPTS = ["人民政府办公室", "公安局", "税务局", "人力资源和社会保障局", "交通运输局", "市场监督管理局",
         "自然资源局", "住房和城乡建设局", "生态环境局", "财政局", "应急管理局", "水务局", "民政局"]
DISTRICTS = ["东", "西", "南", "北", "中心", "新城", "高新", "开发"]
NAME_TEMPLATES = {
    "政府": ["{c}市{d}", "{c}市{x}区{d}"],
    "金融": ["{b}银行{c}分行", "{c}{b}证券营业部", "{c}{b}保险代理有限公司", "{c}农村商业银行{x}支行"],
    "教育": ["{c}市第{n}中学", "{c}{b}学校", "{c}{b}职业技术学院", "{c}市{x}区第{n}小学"],
    "医疗": ["{c}市第{n}人民医院", "{c}{b}医院", "{c}市{x}区妇幼保健院", "{c}{b}医药有限公司"],
    "制造": ["{c}{b}电子有限公司", "{c}{b}机械制造有限公司", "{c}{b}五金制品厂", "{c}{b}新材料股份有限公司"],
    "交通物流": ["{c}{b}物流有限公司", "{c}{b}运输集团有限公司", "{c}市公共交通有限公司{x}分公司",
             "{c}{b}供应链管理有限公司"],
    "商贸": ["{c}{b}贸易有限公司", "{c}{b}商贸有限公司", "{c}{b}百货有限公司", "{c}{b}酒店管理有限公司"],
    "其他": ["{c}{b}科技有限公司", "{c}{b}文化传媒有限公司", "{c}{b}物业管理有限公司", "{c}{b}建筑工程有限公司"],
}
# (industry, template number) of the public schools and hospitals above
PUBLIC_TEMPLATES = {("教育", 0), ("教育", 2), ("教育", 3), ("医疗", 0), ("医疗", 2)}
PHONE_PREFIXES = np.array([130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155,
                           156, 157, 158, 159, 166, 176, 177, 180, 181, 182, 183, 185, 186, 187, 188,
                           189, 191, 193, 198, 199], dtype=np.int64)


# ---------------------------------------------------------------- the world, as numpy arrays

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
    mem = _members(rng, n_members, win, grp)
    rev, share = _revenue(rng, win, grp)
    return World(win=win, branch_w=branch_w, **mgr, **grp, **hist, **mem, revenue=rev, fee_share=share)


def _managers(rng, n_groups: int, win: Window, branch_w: np.ndarray) -> dict:
    """About one manager per ten groups; ~12% leave during the window and are replaced."""
    per_branch = np.maximum(2, np.round(branch_w * n_groups / 11)).astype(int)
    branch = np.repeat(np.arange(len(BRANCHES)), per_branch)
    n = len(branch)
    star = rng.choice([1, 2, 3], size=n, p=[.45, .35, .20])
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
    return dict(m_branch=branch[order], m_star=star[order], m_staff=staff, m_hire=hire[order],
                m_leave=leave[order], m_diligence=diligence, m_name=_person_names(rng, n))


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
                manager[sel] = rng.choice(starred, len(sel))
        rest = np.flatnonzero(mine & (manager < 0))
        manager[rest] = rng.choice(pool, len(rest))
    return manager


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


def _members(rng, total: int, win: Window, grp: dict) -> dict:
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


# ---------------------------------------------------------------- events: visits, orders, complaints

def _expand(rng, w: World, rate: np.ndarray):
    """Poisson counts per group x month → (group, day) of each event, inside the month."""
    counts = rng.poisson(rate)
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
    """The yellow channel: each manager visits at the standard times his diligence."""
    mid = (w.win.start + w.win.end) // 2
    groups = np.arange(w.n_groups)
    mgr_mid = w.manager_on(groups[:, None], mid[None, :])
    dil = np.where(mgr_mid >= 0, w.m_diligence[np.maximum(mgr_mid, 0)], 0.0)
    g, day = _expand(rng, w, VISITS_PER_MONTH[w.g_class][:, None] * dil)
    ok, mgr = _in_service(w, g, day)
    g, day, mgr = g[ok], day[ok], mgr[ok]
    order = np.lexsort((g, mgr, day))
    g, day, mgr = g[order], day[order], mgr[order]
    n = len(g)
    kind = rng.choice(np.array(["visit", "received", "care"]), n, p=[.72, .13, .15])
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


# ---------------------------------------------------------------- text forms of values

def group_ids(numbers: np.ndarray) -> np.ndarray:
    """G00001 ... for group numbers from 0 (five digits hold every scale, L's 50,000 included)."""
    return np.array([f"G{i + 1:05d}" for i in np.asarray(numbers).tolist()], dtype=object)


def manager_ids(numbers: np.ndarray) -> np.ndarray:
    """M0001 ... for manager numbers from 0; '' for -1 (unassigned)."""
    return np.array([f"M{i + 1:04d}" if i >= 0 else "" for i in np.asarray(numbers).tolist()], dtype=object)


def _dates(days: np.ndarray, style: str = "iso") -> list[str]:
    """Day numbers as text ('' for NEVER) in one of the forms the contract accepts."""
    days = np.asarray(days)
    iso = np.datetime_as_string(np.where(days < NEVER, days, 0).astype("datetime64[D]"))
    out = iso.tolist()
    if style == "compact":
        out = [s.replace("-", "") for s in out]
    elif style == "slash":   # 2023/6/3, as Excel-minded CRM screens print it
        out = [f"{s[:4]}/{int(s[5:7])}/{int(s[8:10])}" for s in out]
    elif style == "dot":
        out = [s.replace("-", ".") for s in out]
    return [s if d < NEVER else "" for s, d in zip(out, days.tolist())]


def _times(seconds: np.ndarray, minutes_only: bool = False) -> list[str]:
    """Seconds as 'YYYY-MM-DD HH:MM:SS' (or HH:MM), '' for -1."""
    seconds = np.asarray(seconds)
    text = np.datetime_as_string(np.maximum(seconds, 0).astype("datetime64[s]")).tolist()
    cut = 16 if minutes_only else 19
    return [t[:cut].replace("T", " ") if s >= 0 else "" for t, s in zip(text, seconds.tolist())]


def _amounts(values: np.ndarray, mixed: bool = False, rng=None) -> list[str]:
    """Yuan with two decimals; `mixed` writes each in one of the forms the field exports."""
    plain = [f"{v:.2f}" for v in values.tolist()]
    if not mixed:
        return plain
    form = rng.integers(0, 4, len(plain))
    out = []
    for v, p, f in zip(values.tolist(), plain, form.tolist()):
        if v < 0 or f == 0:
            out.append(p)
        elif f == 1:
            out.append(f"{v:,.2f}")
        elif f == 2:
            out.append(f"¥{p}")
        else:
            out.append(f"￥{v:,.2f}")
    return out


# ---------------------------------------------------------------- one file's rows, with planted flaws

class _Rows:
    """The rows of one file as cells, with planted flaws tracked until the file is written.

    Flaws are inserted among the clean rows; their lines are known only once every insertion
    is done, so each is remembered by the row object and numbered at the end.
    """

    def __init__(self, file: str, dataset: str, header: list[str], rows: list[list],
                 first_line: int = 2):
        self.file, self.dataset, self.header, self.rows = file, dataset, header, rows
        self.first_line = first_line   # line of the first data row: 2 under a header, 1 in parquet
        self._columns = header
        self._marks: list[tuple[list, str | None, str]] = []

    def col(self, name: str) -> int:
        return self._columns.index(name)

    def set_columns(self, canonical: list[str]) -> "_Rows":
        self._columns = canonical
        return self

    def template(self, rng, where: Callable[[list], bool] = lambda r: True) -> list:
        """A copy of a random clean row that satisfies `where`."""
        for _ in range(10_000):
            row = self.rows[int(rng.integers(len(self.rows)))]
            if not any(row is m[0] for m in self._marks) and where(row):
                return list(row)
        raise LookupError(f"no template row in {self.file}")

    def plant(self, rng, row: list, column: str | None, kind: str) -> None:
        """Insert a flawed row at a random place among the data rows."""
        self.rows.insert(int(rng.integers(1, len(self.rows))), row)
        self._marks.append((row, column, kind))

    def duplicate(self, rng) -> None:
        """Repeat a clean row further down: the earlier copy is the one superseded."""
        original = self.rows[int(rng.integers(1, len(self.rows) // 2))]
        while any(original is m[0] for m in self._marks):
            original = self.rows[int(rng.integers(1, len(self.rows) // 2))]
        i = next(k for k, row in enumerate(self.rows) if row is original)
        self.rows.insert(int(rng.integers(i + 1, len(self.rows))), list(original))
        self._marks.append((original, None, "duplicate_key"))

    def mark(self, row: list, column: str | None, kind: str) -> None:
        self._marks.append((row, column, kind))

    def planted(self) -> list[dict]:
        where = {id(r): i for i, r in enumerate(self.rows)}
        return [{"file": self.file, "dataset": self.dataset, "line": where[id(r)] + self.first_line,
                 "column": c, "kind": k} for r, c, k in self._marks]


def _write_text(folder: pathlib.Path, rows: _Rows, encoding: str = "utf-8", delimiter: str = ",",
                newline: str = "\n") -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerow(rows.header)
    writer.writerows(rows.rows)
    # errors='strict': a character GBK cannot hold must fail here, not turn into '?' in the sample.
    (folder / rows.file).write_bytes(buf.getvalue().encode(encoding))


# ---------------------------------------------------------------- the sample folder

class _Sample:
    """Writes the sample export folder file by file and collects what was planted."""

    def __init__(self, folder: pathlib.Path, rng, world: World, say):
        self.folder, self.rng, self.w, self.say = folder, rng, world, say
        self.files: list[str] = []
        self.planted: list[dict] = []
        self.rows: dict[str, int] = {}

    def done(self, rows: _Rows) -> None:
        self.files.append(rows.file)
        self.planted += rows.planted()
        self.rows[rows.file] = len(rows.rows)
        self.say(f"{rows.file}: {len(rows.rows):,} rows")

    def whole_file(self, file: str, dataset: str | None, kind: str, column: str | None = None) -> None:
        self.files.append(file)
        self.planted.append({"file": file, "dataset": dataset, "line": None, "column": column, "kind": kind})
        self.say(f"{file}: planted ({kind})")

    # ---- CRM master data

    def branches(self) -> None:
        rows = [[b[0], f"{b[1]}分公司", MGMT_ZH[b[3]] if i % 3 == 0 else b[3]] for i, b in enumerate(BRANCHES)]
        r = _Rows("branches.csv", "branches", ["branch_id", "branch_name", "mgmt_model"], rows)
        _write_text(self.folder, r)
        self.done(r)

    def managers(self) -> None:
        w, rng = self.w, self.rng
        n = len(w.m_star)
        stars = [[str(s), "★" * s, f"{'一二三'[s - 1]}星级"][f] for s, f in
                 zip(w.m_star.tolist(), rng.integers(0, 3, n).tolist())]
        outsourced = np.where(rng.random(n) < 0.5, "社会化", "外包")
        employment = np.where(w.m_staff, "正式", outsourced).tolist()
        rows = [list(r) for r in zip(manager_ids(np.arange(n)).tolist(), w.m_name,
                                     [BRANCHES[b][0] for b in w.m_branch.tolist()], stars, employment,
                                     _dates(w.m_hire, "slash"), _dates(w.m_leave, "slash"))]
        r = _Rows("客户经理.csv", "managers",
                  ["客户经理编码", "客户经理姓名", "分公司编码", "星级", "用工性质", "入职日期", "离职日期"], rows)
        r.set_columns(["manager_id", "manager_name", "branch_id", "star_level", "employment",
                       "hire_date", "leave_date"])
        # Flawed rows are extra managers nobody refers to, so setting them aside hides nothing else.
        extra = iter(range(9001, 9100))
        for value, column, kind in [("5", "star_level", "out_of_range"), ("0", "star_level", "out_of_range"),
                                    ("五星", "star_level", "bad_number"), ("2023/2/30", "hire_date", "bad_date"),
                                    ("", "manager_name", "required"), ("QY", "branch_id", "unknown_reference")]:
            row = r.template(rng, lambda x: x[6] == "")
            row[0] = f"M{next(extra)}"
            row[r.col(column)] = value
            r.plant(rng, row, column, kind)
        _write_text(self.folder, r, encoding="gbk", newline="\r\n")
        self.done(r)

    def groups(self) -> None:
        w, rng = self.w, self.rng
        n = w.n_groups
        ids = group_ids(np.arange(n)).tolist()
        cls = [c + ("类" if f else "") for c, f in zip(CLASSES[w.g_class].tolist(), (rng.random(n) < 0.2).tolist())]
        sector = np.where(w.g_gov, "政府", "企业").tolist()
        opened = [EPOCH + dt.timedelta(days=int(d)) for d in w.g_open.tolist()]
        rows = [list(r) for r in zip(ids, w.g_name, [BRANCHES[b][0] for b in w.g_branch.tolist()],
                                     INDUSTRIES[w.g_industry].tolist(), sector, cls,
                                     manager_ids(w.g_manager).tolist(), opened, _dates(w.g_close))]
        r = _Rows("groups.xlsx", "groups",
                  ["集团编码", "集团名称", "分公司编码", "行业", "客户类型", "集团等级", "客户经理编码",
                   "建档日期", "销户日期"], rows)
        r.set_columns(["group_id", "group_name", "branch_id", "industry", "sector", "class", "manager_id",
                       "open_date", "close_date"])
        extra = iter(range(90001, 90100))
        for value, column, kind in [("D", "class", "bad_enum"), ("D类", "class", "bad_enum"),
                                    ("", "group_name", "required"), ("2019-02-30", "open_date", "bad_date"),
                                    ("M9998", "manager_id", "unknown_reference")]:
            row = r.template(rng, lambda x: x[8] == "" and x[6] != "")
            row[0] = f"G{next(extra)}"
            row[r.col(column)] = value
            r.plant(rng, row, column, kind)
        self._write_xlsx(r)
        self.done(r)

    def _write_xlsx(self, r: _Rows) -> None:
        import xlsxwriter

        # in_memory: fixed zip timestamps; a fixed 'created' property: same seed, same bytes.
        book = xlsxwriter.Workbook(str(self.folder / r.file), {"in_memory": True})
        book.set_properties({"created": dt.datetime(2026, 11, 1, 8, 0, 0), "author": "CRM"})
        sheet = book.add_worksheet("集团客户清单")
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, r.header)
        for i, row in enumerate(r.rows, start=1):
            for j, cell in enumerate(row):
                if isinstance(cell, dt.date):
                    sheet.write_datetime(i, j, dt.datetime(cell.year, cell.month, cell.day), date_fmt)
                elif cell != "":
                    sheet.write_string(i, j, cell)
        sheet.set_column(0, 0, 10)
        sheet.set_column(1, 1, 32)
        book.close()

    def members(self) -> None:
        w, rng = self.w, self.rng
        tiers = [VIP_ZH[t] for t in VIP_TIERS[w.s_vip].tolist()]
        rows = [list(r) for r in zip(w.s_phone.astype(str).tolist(), group_ids(w.s_group).tolist(), tiers,
                                     _dates(w.s_join, "compact"), _dates(w.s_leave, "compact"))]
        r = _Rows("集团成员_2026.csv", "members", ["用户号码", "集团编码", "VIP等级", "加入日期", "离网日期"], rows)
        r.set_columns(["subscriber_id", "group_id", "vip_tier", "join_date", "leave_date"])
        for value, column, kind in [("G99999", "group_id", "unknown_reference"),
                                    ("G99999", "group_id", "unknown_reference"),
                                    ("20261345", "join_date", "bad_date"), ("", "subscriber_id", "required"),
                                    ("白金卡", "vip_tier", "bad_enum")]:
            row = r.template(rng, lambda x: x[4] == "")
            row[r.col(column)] = value
            r.plant(rng, row, column, kind)
        r.duplicate(rng)
        _write_text(self.folder, r, encoding="gbk", newline="\r\n")
        self.done(r)

    def assignments(self) -> None:
        a = assignments(self.w)
        rows = [list(x) for x in zip(group_ids(a["group"]).tolist(), manager_ids(a["manager"]).tolist(),
                                     _dates(a["start"]), _dates(a["end"]))]
        r = _Rows("assignments.csv", "assignments", ["group_id", "manager_id", "start_date", "end_date"], rows)
        _write_text(self.folder, r)
        self.done(r)

    # ---- BOSS bills

    def billing(self) -> None:
        w, rng = self.w, self.rng
        bill = sample_bills(rng, w)
        by_month = np.searchsorted(bill["month"], np.arange(len(w.win.labels) + 1))
        for m, label in enumerate(w.win.labels):
            sl = slice(by_month[m], by_month[m + 1])
            self._bill_file(m, label, {k: v[sl] for k, v in bill.items()})

    def _bill_file(self, m: int, label: str, bill: dict) -> None:
        """One month's bill; the forms vary by month as BOSS versions and export tools did."""
        rng = self.rng
        yyyymm = label.replace("-", "")
        chinese = yyyymm == "202601"           # exported from the finance desk: Chinese headers and labels
        month_text = f"{int(label[:4])}年{int(label[5:])}月" if chinese else (label if m % 5 == 1 else yyyymm)
        mixed = m % 6 == 3 or chinese          # amounts typed by hand: thousands separators, ¥ signs
        items = [FEE_ZH[i] for i in bill["item"].tolist()] if chinese else bill["item"].tolist()
        subs = [str(s) if s >= 0 else "" for s in bill["subscriber"].tolist()]
        rows = [list(x) for x in zip([month_text] * len(subs), group_ids(bill["group"]).tolist(), subs, items,
                                     _amounts(bill["amount"], mixed, rng))]
        header = (["账期", "集团编码", "用户号码", "费用科目", "金额"] if chinese
                  else ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"])
        pipe = yyyymm == "202605"
        r = _Rows(f"billing_{yyyymm}.{'txt' if pipe else 'csv'}", "billing", header, rows)
        r.set_columns(["bill_month", "group_id", "subscriber_id", "fee_item", "amount"])
        self._plant_bill_flaws(r, yyyymm)
        encoding = "utf-8-sig" if m % 2 == 0 else "utf-8"
        _write_text(self.folder, r, encoding=encoding, delimiter="|" if pipe else ",")
        self.done(r)
        if yyyymm == "202609":
            self._bill_correction(r, encoding)

    def _plant_bill_flaws(self, r: _Rows, yyyymm: str) -> None:
        rng = self.rng
        group_level = lambda x: x[2] == ""   # noqa: E731 - a row filter
        plants = {
            "202503": [("roaming", "fee_item", "bad_enum"), ("G99998", "group_id", "unknown_reference")],
            "202508": [("12.3.4", "amount", "bad_amount"), ("", "group_id", "required")],
            "202511": [("2025-13", "bill_month", "bad_month"), ("G99998", "group_id", "unknown_reference")],
            "202605": [("roaming", "fee_item", "bad_enum"), ("N/A", "amount", "bad_amount"),
                       ("2026-13", "bill_month", "bad_month")],
        }.get(yyyymm, [])
        for value, column, kind in plants:
            row = r.template(rng, group_level)
            row[r.col(column)] = value
            r.plant(rng, row, column, kind)
        if yyyymm in ("202507", "202605"):
            r.duplicate(rng)

    def _bill_correction(self, first: _Rows, encoding: str) -> None:
        """A corrected re-export of some rows of a month: the first export's rows are superseded."""
        rng = self.rng
        picks = sorted(set(int(i) for i in rng.choice(len(first.rows), 14, replace=False)))
        rows = []
        for i in picks:
            row = list(first.rows[i])
            if len(rows) % 3 != 2:   # most were corrected, a few re-exported unchanged
                amount = float(row[4].replace(",", "").lstrip("¥￥"))
                row[4] = f"{amount * rng.uniform(0.85, 1.1):.2f}"
            rows.append(row)
            first.mark(first.rows[i], None, "superseded")
        self.planted += [p for p in first.planted() if p["kind"] == "superseded"]
        r = _Rows("billing_202609_v2.csv", "billing", first.header, rows)
        _write_text(self.folder, r, encoding=encoding)
        self.done(r)

    # ---- the three channels

    def visits(self) -> None:
        w, rng = self.w, self.rng
        v = visits(rng, w)
        kinds = [KIND_ZH[k] for k in v["kind"].tolist()]
        themes = [THEME_ZH.get(t, "") for t in v["theme"].tolist()]
        rows = [list(x) for x in zip(v["visit_id"].tolist(), manager_ids(v["manager"]).tolist(),
                                     group_ids(v["group"]).tolist(), _dates(v["day"]), kinds, themes)]
        extra_rows = [[f"VX{i:05d}", row[1], row[2], "visit", ""] for i, row in enumerate(rows[:6], start=1)]
        r = _Rows("走访记录.csv", "visits", ["记录编号", "客户经理编码", "集团编码", "走访日期", "类型", "关怀主题"], rows)
        r.set_columns(["visit_id", "manager_id", "group_id", "visit_date", "kind", "theme"])
        extra = iter(range(9_000_001, 9_000_100))
        for value, column, kind in [("M9999", "manager_id", "unknown_reference"),
                                    ("M9999", "manager_id", "unknown_reference"),
                                    ("2026-09-31", "visit_date", "bad_date"), ("拜访", "kind", "bad_enum"),
                                    ("", "group_id", "required")]:
            row = r.template(rng)
            row[0] = f"V{next(extra)}"
            row[r.col(column)] = value
            r.plant(rng, row, column, kind)
        r.duplicate(rng)
        _write_text(self.folder, r, encoding="gbk", newline="\r\n")
        self.done(r)
        # A second visits export from another tool, without the date column: the file fails.
        x = _Rows("visits_extra.csv", "visits", ["visit_id", "manager_id", "group_id", "kind", "theme"], extra_rows)
        _write_text(self.folder, x)
        self.whole_file(x.file, "visits", "missing_column", "visit_date")

    def orders(self) -> None:
        w, rng = self.w, self.rng
        o = orders(rng, w)
        columns = ["order_id", "group_id", "manager_id", "product", "visited_at", "handled_at",
                   "contracted_at", "built_at", "activated_at", "monthly_value"]
        rows = [list(x) for x in zip(o["order_id"].tolist(), group_ids(o["group"]).tolist(),
                                     manager_ids(o["manager"]).tolist(), o["product"].tolist(),
                                     _times(o["visited"]), _times(o["handled"]), _times(o["contracted"]),
                                     _times(o["built"]), _times(o["activated"]), _amounts(o["value"]))]
        # parquet has no header line: the reader numbers its rows from 1
        r = _Rows("orders.parquet", "orders", columns, rows, first_line=1).set_columns(columns)
        extra = iter(range(9_000_001, 9_000_100))
        h, c, b = r.col("handled_at"), r.col("contracted_at"), r.col("built_at")

        def shift(text: str, days: float) -> str:
            t = dt.datetime.fromisoformat(text) + dt.timedelta(days=days)
            return t.strftime("%Y-%m-%d %H:%M:%S")

        def contracted_before_handled(row):
            row[c] = shift(row[h], -2)

        def built_without_contract(row):
            row[b] = shift(row[h], 12)

        flaws = [
            (lambda x: x[c] != "", contracted_before_handled, "contracted_at", "stage_order"),
            (lambda x: x[c] != "", contracted_before_handled, "contracted_at", "stage_order"),
            (lambda x: x[h] != "" and x[c] == "", built_without_contract, "built_at", "stage_order"),
            (lambda x: x[h] != "" and x[c] == "", built_without_contract, "built_at", "stage_order"),
            (lambda x: True, lambda x: x.__setitem__(r.col("monthly_value"), "面议"), "monthly_value", "bad_amount"),
            (lambda x: x[h] != "", lambda x: x.__setitem__(h, "2026-04-31 10:00:00"), "handled_at", "bad_timestamp"),
            (lambda x: True, lambda x: x.__setitem__(r.col("visited_at"), ""), "visited_at", "required"),
        ]
        for where, spoil, column, kind in flaws:
            row = r.template(rng, where)
            row[0] = f"GD{next(extra)}"
            spoil(row)
            r.plant(rng, row, column, kind)
        self._write_parquet(r)
        self.done(r)

    def _write_parquet(self, r: _Rows) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        # Times stay text, as the CRM's export tool writes them; empty cells are nulls.
        columns = list(zip(*r.rows))
        table = pa.table({name: pa.array([v or None for v in col], type=pa.string())
                          for name, col in zip(r.header, columns)})
        pq.write_table(table, self.folder / r.file, compression="zstd")

    def complaints(self) -> None:
        w, rng = self.w, self.rng
        t = complaints(rng, w)
        columns = ["ticket_id", "group_id", "subscriber_id", "category", "severity", "channel", "created_at",
                   "first_response_at", "resolved_at", "followup_at", "satisfaction"]
        rows = [list(x) for x in zip(
            t["ticket_id"].tolist(), group_ids(t["group"]).tolist(),
            [str(s) if s >= 0 else "" for s in t["subscriber"].tolist()], t["category"].tolist(),
            t["severity"].astype(str).tolist(), [CHANNEL_ZH[c] for c in t["channel"].tolist()],
            _times(t["created"], True), _times(t["response"], True), _times(t["resolved"], True),
            _times(t["followup"], True), [str(s) if s else "" for s in t["satisfaction"].tolist()])]
        r = _Rows("complaints.csv", "complaints", columns, rows).set_columns(columns)
        cr, fr, rs, fu = (r.col(x) for x in ("created_at", "first_response_at", "resolved_at", "followup_at"))

        def minutes(text: str, delta: float) -> str:
            return (dt.datetime.fromisoformat(text) + dt.timedelta(minutes=delta)).strftime("%Y-%m-%d %H:%M")

        def setter(column, value):
            return lambda x: x.__setitem__(r.col(column), value)

        flaws = [
            (lambda x: x[10] != "", setter("satisfaction", "7"), "satisfaction", "out_of_range"),
            (lambda x: x[10] != "", setter("satisfaction", "7"), "satisfaction", "out_of_range"),
            (lambda x: True, setter("severity", "9"), "severity", "out_of_range"),
            (lambda x: True, setter("severity", "9"), "severity", "out_of_range"),
            (lambda x: True, setter("severity", "很急"), "severity", "bad_number"),
            (lambda x: x[fr] != "", lambda x: x.__setitem__(fr, minutes(x[cr], -40)),
             "first_response_at", "time_order"),
            (lambda x: x[fr] != "", lambda x: x.__setitem__(fr, minutes(x[cr], -5)),
             "first_response_at", "time_order"),
            (lambda x: x[fu] != "" and x[rs] > x[cr], lambda x: x.__setitem__(fu, x[cr]),
             "followup_at", "time_order"),
            (lambda x: x[fu] != "" and x[rs] > x[cr], lambda x: x.__setitem__(fu, x[cr]),
             "followup_at", "time_order"),
            (lambda x: True, setter("created_at", "2026-02-30 09:15"), "created_at", "bad_timestamp"),
            (lambda x: True, setter("category", "投诉"), "category", "bad_enum"),
            (lambda x: True, setter("group_id", "G99997"), "group_id", "unknown_reference"),
        ]
        extra = iter(range(9_000_001, 9_000_100))
        for where, spoil, column, kind in flaws:
            row = r.template(rng, where)
            row[0] = f"TS{next(extra)}"
            spoil(row)
            r.plant(rng, row, column, kind)
        r.duplicate(rng)
        _write_text(self.folder, r, delimiter="\t")
        self.done(r)

    # ---- files that do not load

    def bad_files(self) -> None:
        # An "xlsx" that is really the HTML table some web CRMs save under an Excel name.
        html = ("<html><head><meta charset=\"utf-8\"></head><body><table>"
                "<tr><td>工单编号</td><td>集团编码</td><td>投诉类别</td></tr>"
                "<tr><td>TS0000001</td><td>G00001</td><td>故障</td></tr></table></body></html>\n")
        (self.folder / "complaints_old.xlsx").write_bytes(html.encode("utf-8"))
        self.whole_file("complaints_old.xlsx", "complaints", "unreadable_file")
        note = ("导出说明\n本目录为集团客户经营数据导出文件，账期 2024年11月 至 2026年10月。\n"
                "账单按月拆分；billing_202609_v2.csv 为 9 月账单更正重导。\n")
        (self.folder / "readme_export.txt").write_bytes(note.encode("utf-8"))
        self.whole_file("readme_export.txt", None, "unknown_file")


def sample_bills(rng, w: World, subscriber_share: float = 0.02) -> dict:
    """The sample's bill rows of every month: group-level rows of each fee item a group buys,
    subscriber-level voice/data rows of a few members, and a few negative adjustments.

    Sorted by month, group, subscriber (group-level first) and fee item.
    """
    months = len(w.win.labels)
    noise = np.exp(0.04 * rng.standard_normal((w.n_groups, months, len(FEE_ITEMS))))
    cube = w.revenue[:, :, None] * w.fee_share[:, None, :] * noise
    cube = np.round(cube, 2)
    g, m, i = np.nonzero(cube >= 0.01)
    amount = cube[g, m, i]
    sub = np.full(len(g), -1, dtype=np.int64)
    # Adjustments: a credit note on a fee item the group has no charge for that month.
    adj = (w.fee_share[:, 8] == 0)[:, None] & (w.revenue > 0) & (rng.random((w.n_groups, months)) < 0.004)
    ag, am = np.nonzero(adj)
    a_amount = -np.round(np.minimum(2000, rng.uniform(20, np.maximum(25, 0.05 * w.revenue[ag, am]))), 2)
    # Itemised members: ~2% of members get their own voice and data rows.
    chosen = np.flatnonzero(rng.random(len(w.s_group)) < subscriber_share)
    sg, sm, si, s_amount, s_sub = [], [], [], [], []
    for k, (item, p, lo, hi) in enumerate([(0, .9, 8, 60), (1, .85, 15, 120)]):
        active = (w.s_join[chosen][:, None] <= w.win.end) & (w.s_leave[chosen][:, None] > w.win.start)
        active &= rng.random(active.shape) < p
        who, mm = np.nonzero(active)
        sg.append(w.s_group[chosen][who])
        sm.append(mm)
        si.append(np.full(len(who), item))
        s_amount.append(np.round(rng.uniform(lo, hi, len(who)) * (1 + 0.4 * (w.s_vip[chosen][who] <= 1)), 2))
        s_sub.append(w.s_phone[chosen][who])
    group = np.concatenate([g, ag, *sg])
    month = np.concatenate([m, am, *sm])
    item = np.concatenate([i, np.full(len(ag), 8), *si])
    subscriber = np.concatenate([sub, np.full(len(ag), -1), *s_sub])
    amount = np.concatenate([amount, a_amount, *s_amount])
    order = np.lexsort((item, subscriber, group, month))
    return dict(month=month[order], group=group[order], subscriber=subscriber[order],
                item=FEE_ITEMS[item[order]], amount=amount[order])


# ---------------------------------------------------------------- entry points

def write_sample(folder: pathlib.Path, seed: int = 7, scale: str = "sample", progress: Progress = None) -> dict:
    """Write an export folder; returns {"files": [...], "planted": [...], "rows": {file: data rows}}.

    Each planted item is {"file", "dataset", "line", "column", "kind"}: `line` is the file line
    (header = 1; for the xlsx the sheet row; for parquet the row number from 1), None for a
    whole-file problem; `column` the canonical column, None for a whole row or file. Kinds
    are the reasons the reader gives: bad_date, bad_timestamp, bad_month, bad_amount,
    bad_number, out_of_range, bad_enum, required, unknown_reference, stage_order,
    time_order, duplicate_key (the earlier copy, which is superseded), superseded (rows a
    later, corrected export replaces), unreadable_file, missing_column, unknown_file.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: one of {', '.join(SCALES)}")
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)
    spec = SCALES[scale]
    if scale != "sample":
        return _write_scaled(folder, spec.groups, spec.members, spec.months, seed=seed, progress=progress)
    rng = np.random.default_rng(seed)
    say(f"building the province ({spec.groups:,} groups, {spec.members:,} members, {spec.months} months)")
    world = build_world(rng, spec.groups, spec.members, spec.months)
    s = _Sample(folder, rng, world, say)
    for step in (s.branches, s.managers, s.groups, s.members, s.assignments, s.billing,
                 s.visits, s.orders, s.complaints, s.bad_files):
        step()
    return {"files": s.files, "planted": s.planted, "rows": s.rows}


def _write_scaled(folder: pathlib.Path, groups: int, members: int, months: int, seed: int = 7,
                  progress: Progress = None) -> dict:
    """Clean UTF-8 CSV at any size: numpy builds the province, DuckDB writes every file.

    Subscriber-level voice and data rows carry the groups' voice and data revenue (split over
    the members active that month), so they dominate the bills as in a real BOSS export.
    """
    import duckdb
    import pyarrow as pa

    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)
    rng = np.random.default_rng(seed)
    say(f"building the province ({groups:,} groups, {members:,} members, {months} months)")
    w = build_world(rng, groups, members, months)
    con = duckdb.connect()
    rows: dict[str, int] = {}

    def copy(name: str, table: dict, select: str, tail: str = "") -> None:
        con.register("t", pa.table(table))
        rows[name] = con.execute(f"copy (select {select} from t {tail}) to '{folder / name}' "
                                 f"(header, delimiter ',')").fetchall()[0][0]
        con.unregister("t")
        say(f"{name}: {rows[name]:,} rows")

    date = "case when {0} < {1} then cast(date '1970-01-01' + cast({0} as integer) as varchar) end".format
    stamp = "case when {0} >= 0 then strftime(timestamp '1970-01-01' + to_seconds({0}), '%Y-%m-%d %H:%M:%S') end".format
    copy("branches.csv", dict(branch_id=[b[0] for b in BRANCHES], branch_name=[f"{b[1]}分公司" for b in BRANCHES],
                              mgmt_model=[b[3] for b in BRANCHES]), "*")
    n_m = len(w.m_star)
    copy("managers.csv", dict(
        manager_id=manager_ids(np.arange(n_m)), manager_name=w.m_name,
        branch_id=[BRANCHES[b][0] for b in w.m_branch.tolist()], star_level=w.m_star,
        employment=np.where(w.m_staff, "staff", "outsourced"), hire=w.m_hire, leave=w.m_leave),
        f"manager_id, manager_name, branch_id, star_level, employment, {date('hire', NEVER)} as hire_date, "
        f"{date('leave', NEVER)} as leave_date")
    copy("groups.csv", dict(
        group_id=group_ids(np.arange(w.n_groups)), group_name=w.g_name,
        branch_id=[BRANCHES[b][0] for b in w.g_branch.tolist()], industry=INDUSTRIES[w.g_industry],
        sector=np.where(w.g_gov, "government", "enterprise"), cls=CLASSES[w.g_class],
        manager_id=manager_ids(w.g_manager), open=w.g_open, close=w.g_close),
        f"group_id, group_name, branch_id, industry, sector, cls as class, nullif(manager_id, '') as manager_id, "
        f"{date('open', NEVER)} as open_date, {date('close', NEVER)} as close_date")
    gid = group_ids(np.arange(w.n_groups))
    con.register("gids", pa.table(dict(g=np.arange(w.n_groups), group_id=gid)))
    con.execute("create temp table gid as select * from gids")
    con.unregister("gids")
    copy("members.csv", dict(idx=np.arange(len(w.s_group)), phone=w.s_phone, g=w.s_group,
                             vip=VIP_TIERS[w.s_vip], j=w.s_join, l=w.s_leave),
         f"cast(phone as varchar) as subscriber_id, gid.group_id, "
         f"vip as vip_tier, {date('j', NEVER)} as join_date, {date('l', NEVER)} as leave_date",
         "join gid using (g) order by idx")
    a = assignments(w)
    copy("assignments.csv", dict(group_id=group_ids(a["group"]), manager_id=manager_ids(a["manager"]),
                                 s=a["start"], e=a["end"]),
         f"group_id, manager_id, {date('s', NEVER)} as start_date, {date('e', NEVER)} as end_date")
    _scaled_bills(con, w, folder, seed, rows, say)
    v = visits(rng, w)
    copy("visits.csv", dict(visit_id=v["visit_id"], manager_id=manager_ids(v["manager"]),
                            group_id=group_ids(v["group"]), d=v["day"], kind=v["kind"], theme=v["theme"]),
         f"visit_id, manager_id, group_id, {date('d', NEVER)} as visit_date, kind, nullif(theme, '') as theme")
    o = orders(rng, w)
    copy("orders.csv", dict(order_id=o["order_id"], group_id=group_ids(o["group"]),
                            manager_id=manager_ids(o["manager"]), product=o["product"],
                            v=o["visited"], h=o["handled"], c=o["contracted"], b=o["built"],
                            a=o["activated"], value=o["value"]),
         f"order_id, group_id, manager_id, product, {stamp('v')} as visited_at, {stamp('h')} as handled_at, "
         f"{stamp('c')} as contracted_at, {stamp('b')} as built_at, {stamp('a')} as activated_at, "
         f"cast(value as decimal(18, 2)) as monthly_value")
    c = complaints(rng, w)
    copy("complaints.csv", dict(ticket_id=c["ticket_id"], group_id=group_ids(c["group"]), s=c["subscriber"],
                                category=c["category"], severity=c["severity"], channel=c["channel"],
                                cr=c["created"], fr=c["response"], rs=c["resolved"], fu=c["followup"],
                                sat=c["satisfaction"]),
         f"ticket_id, group_id, case when s >= 0 then cast(s as varchar) end as subscriber_id, category, "
         f"severity, channel, {stamp('cr')} as created_at, {stamp('fr')} as first_response_at, "
         f"{stamp('rs')} as resolved_at, {stamp('fu')} as followup_at, nullif(sat, 0) as satisfaction")
    con.close()
    files = sorted(rows)
    return {"files": files, "planted": [], "rows": rows}


def _scaled_bills(con, w: World, folder: pathlib.Path, seed: int, rows: dict, say) -> None:
    """One CSV per month. Group-level rows come from numpy; subscriber rows are made by DuckDB
    from the members table with hash() of (member, month, item, seed) as the random draw, so
    no Python touches a row and any thread count gives the same file (ORDER BY fixes the order).
    """
    import pyarrow as pa

    months = len(w.win.labels)
    con.register("mem", pa.table(dict(idx=np.arange(len(w.s_group)), g=w.s_group, phone=w.s_phone,
                                       j=w.s_join, l=np.minimum(w.s_leave, 2**31 - 1))))
    con.execute("create temp table members as select * from mem")
    con.unregister("mem")
    for m, label in enumerate(w.win.labels):
        start, end = int(w.win.start[m]), int(w.win.end[m])
        active = (w.s_join <= end) & (w.s_leave > start)
        n_active = np.bincount(w.s_group[active], minlength=w.n_groups)
        amounts = np.round(w.revenue[:, m, None] * w.fee_share, 2)
        # voice and data go to the members where the group has any; group-level otherwise
        itemised = n_active > 0
        # Divided by the expected rows (40% of members have a voice row, 90% a data row) so that a
        # group's voice and data revenue stays what _revenue made it.
        per_member = np.where(itemised[:, None],
                              amounts[:, :2] / (np.maximum(n_active, 1)[:, None] * [0.4, 0.9]), 0.0)
        amounts[itemised, :2] = 0.0
        g, i = np.nonzero(amounts >= 0.01)
        con.register("grp_rows", pa.table(dict(g=g, k=i, item=FEE_ITEMS[i], amount=amounts[g, i])))
        con.register("budget", pa.table(dict(g=np.arange(w.n_groups), voice=per_member[:, 0],
                                             data=per_member[:, 1])))
        name = f"billing_{label.replace('-', '')}.csv"
        # Each member has a data row in ~90% of months and a voice row in ~40%; the amount is the
        # member's share of the group's budget, spread 0.4x-1.6x.
        rows[name] = con.execute(f"""
            copy (
                with sub as (
                    select m.g, m.phone, f.k, f.item,
                           case f.k when 0 then b.voice else b.data end
                             * (0.4 + 1.2 * (hash(m.idx, {m}, f.k + 7, {seed}) % 1000000) / 1000000.0) as amount
                    from members m
                    join budget b on b.g = m.g
                    cross join (values (0, 'voice', 400000), (1, 'data', 900000)) f(k, item, cut)
                    where m.j <= {end} and m.l > {start}
                      and hash(m.idx, {m}, f.k, {seed}) % 1000000 < f.cut
                ),
                rows as (
                    select g, phone, k, item, amount from sub
                    union all
                    select g, null, k, item, amount from grp_rows
                )
                select '{label.replace('-', '')}' as bill_month, gid.group_id,
                       cast(phone as varchar) as subscriber_id, item as fee_item,
                       cast(greatest(amount, 0.01) as decimal(18, 2)) as amount
                from rows join gid using (g)
                order by g, phone nulls first, k
            ) to '{folder / name}' (header, delimiter ',')""").fetchall()[0][0]
        con.unregister("grp_rows")
        con.unregister("budget")
        say(f"{name}: {rows[name]:,} rows ({m + 1}/{months})")
