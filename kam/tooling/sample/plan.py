"""Issue 14's part of the sample: the province's targets (考核目标), group contracts (协议) and arrears
(欠费), the counties (区县) of two branches, and the bills of the new products — cloud, IoT, 5G private
networks, IDC — that grow month by month.

The story they tell (tests/test_sample_plan.py checks it): most branches beat or narrowly miss their
targets, 佛山 is far ahead, 深圳, 汕头 and 湛江 are behind; contracts end every month and most are renewed, a
few dozen end within 90 days of the data's end with no renewal yet; arrears sit in every aging bucket;
广州 and 深圳 export their counties.

Everything here draws from its own generator (`Plan(world, seed)`), so the rest of the sample is the same
bytes as without it; the rows are written by _Sample (sample_folder.py) through write_sample.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from kam.tooling.sample.province import BRANCHES, FEE_ZH
from kam.tooling.sample.rows import _Rows, _write_text
from kam.tooling.sample.scales import EPOCH, NEVER
from kam.tooling.sample.text_forms import _dates, group_ids

COUNTIES = {"GZ": ["天河区", "越秀区", "海珠区", "白云区", "番禺区"],
            "SZ": ["福田区", "南山区", "罗湖区", "宝安区", "龙岗区"]}
NEW_ITEMS = np.array(["cloud", "iot", "5g_private", "idc"])
NEW_ZH = {"cloud": "移动云", "iot": "物联网", "5g_private": "5G专网", "idc": "IDC"}
# How likely a group of class A / B / C buys each new product, and what it starts at (yuan a month)
ADOPTION = np.array([[.45, .30, .25, .20], [.25, .20, .06, .05], [.06, .08, .00, .00]])
START_AMOUNT = np.array([[2500, 8000], [600, 2500], [80, 400]])
# Target ÷ what the branch did: below 1 the branch beats its targets, above 1 it falls short.
TARGET_FACTOR = {"GZ": .92, "SZ": 1.12, "FS": .72, "DG": .95, "ZH": .90, "ST": 1.15, "HZ": .93,
                 "ZS": 1.08, "JM": .94, "ZJ": 1.20, "MM": 1.07, "ZQ": .91}
KPI_ZH = {"revenue": "收入", "members": "在册成员", "member_churn_rate": "成员流失率",
          "visit_compliance": "走访达标率", "sla_resolve_compliance": "按时解决率", "star_fit_rate": "星级匹配率"}
AGES = [0, 1, 2, 3, 4, 5, 6, 7, 9, 12]   # months from the bill month to the data's last month


class Plan:
    """Counties, new-product revenue, contracts, arrears and targets drawn for one world."""

    def __init__(self, world, seed: int):
        self.w = world
        self.rng = np.random.default_rng([seed, 14])
        self._counties()
        self._new_products()

    # ---- counties of 广州 and 深圳

    def _counties(self) -> None:
        w, rng = self.w, self.rng
        ids = [b[0] for b in BRANCHES]
        self.m_county = [""] * len(w.m_branch)
        for i, b in enumerate(w.m_branch.tolist()):
            if ids[b] in COUNTIES:
                self.m_county[i] = str(rng.choice(COUNTIES[ids[b]]))
        self.g_county = [""] * w.n_groups
        for g, (b, m) in enumerate(zip(w.g_branch.tolist(), w.g_manager.tolist())):
            if ids[b] not in COUNTIES:
                continue
            own = self.m_county[m] if m >= 0 and w.m_branch[m] == b else ""
            self.g_county[g] = own if own and rng.random() < 0.85 else str(rng.choice(COUNTIES[ids[b]]))

    # ---- the new products: adopted from some month on, growing 2–7 % a month

    def _new_products(self) -> None:
        w, rng = self.w, self.rng
        months = len(w.win.labels)
        adopt = rng.random((w.n_groups, len(NEW_ITEMS))) < ADOPTION[w.g_class]
        start = rng.integers(0, months - 2, (w.n_groups, len(NEW_ITEMS)))
        lo, hi = START_AMOUNT[w.g_class, 0], START_AMOUNT[w.g_class, 1]
        first = rng.uniform(lo[:, None], hi[:, None], (w.n_groups, len(NEW_ITEMS)))
        growth = rng.uniform(0.02, 0.07, (w.n_groups, len(NEW_ITEMS)))
        t = np.arange(months)[None, :, None] - start[:, None, :]
        cube = np.where(adopt[:, None, :] & (t >= 0), first[:, None, :] * (1 + growth[:, None, :]) ** t, 0.0)
        active = (w.g_open[:, None] <= w.win.end) & (w.g_close[:, None] > w.win.end)
        self.new_revenue = np.round(cube * active[:, :, None], 2)   # [group, month, item]

    def billed(self) -> np.ndarray:
        """Each group's revenue a month, old products and new: what the targets are set against."""
        return self.w.revenue + self.new_revenue.sum(axis=2)

    # ---- the files

    def new_product_bills(self) -> _Rows:
        g, m, i = np.nonzero(self.new_revenue >= 0.01)
        labels = [x.replace("-", "") for x in self.w.win.labels]
        chinese = self.rng.random(len(g)) < 0.3   # the cloud platform's export mixes codes and labels
        rows = [[labels[mm], gid, "", NEW_ZH[NEW_ITEMS[ii]] if zh else NEW_ITEMS[ii], f"{a:.2f}"]
                for mm, gid, ii, zh, a in zip(m.tolist(), group_ids(g).tolist(), i.tolist(), chinese.tolist(),
                                              self.new_revenue[g, m, i].tolist())]
        return _Rows("billing_new_products.csv", "billing",
                     ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"], rows)

    def contracts(self) -> _Rows:
        """Contracts of 1–3 years; most are renewed when they end; some end soon with no renewal yet."""
        w, rng = self.w, self.rng
        end_of_data = w.win.last
        share = np.array([1.0, 0.5, 0.1])[w.g_class]
        signed = np.flatnonzero((rng.random(w.n_groups) < share) & (w.g_close == NEVER))
        products = np.array(["line", "ict", "cloud", "5g_private", "idc", "iot"])
        rows, n = [], 0
        for g in signed.tolist():
            product = str(rng.choice(products, p=[.3, .2, .2, .12, .1, .08]))
            start = int(max(w.g_open[g], end_of_data - 1100 + rng.integers(0, 900)))
            value = round(float(w.revenue[g, -1]) * rng.uniform(0.05, 0.3), 2)
            previous = ""
            while True:
                n += 1
                cid = f"HT{n:06d}"
                years = int(rng.choice([1, 2, 3]))
                end = _add_years(start, years) - 1
                rows.append([cid, group_ids(np.array([g]))[0], product, start, end, value, previous])
                renew_p = 0.85 if end < end_of_data else (0.35 if end <= end_of_data + 90 else 0.0)
                if rng.random() >= renew_p:
                    break
                previous, start, value = cid, end + 1, round(value * rng.uniform(0.95, 1.15), 2)
        rows.sort(key=lambda r: r[0])
        forms = rng.integers(0, 3, len(rows))
        cells = [[cid, gid, FEE_ZH.get(p, NEW_ZH.get(p, p)) if f == 1 else p, _day_text(s, f), _day_text(e, f),
                  f"{v:.2f}", prev] for (cid, gid, p, s, e, v, prev), f in zip(rows, forms.tolist())]
        r = _Rows("合同_2026.csv", "contracts", ["合同编号", "集团编码", "产品", "生效日期", "到期日期", "月合同金额",
                                                "续签自"], cells)
        r.set_columns(["contract_id", "group_id", "product", "start_date", "end_date", "monthly_value",
                       "renewed_from"])
        extra = iter(range(990001, 990100))
        for column, kind in [("end_date", "time_order"), ("end_date", "time_order"),
                             ("renewed_from", "unknown_reference"), ("renewed_from", "unknown_reference"),
                             ("group_id", "unknown_reference"), ("product", "bad_enum")]:
            row = r.template(rng, lambda x: x[6] == "")
            row[0] = f"HT{next(extra)}"
            if column == "end_date":
                row[4] = row[3].replace("2026", "2019").replace("2025", "2018").replace("2024", "2017")
                row[4] = row[4] if row[4] != row[3] else "2001-01-01"
            else:
                row[r.col(column)] = {"renewed_from": "HT999999", "group_id": "G99996", "product": "卫星"}[column]
            r.plant(rng, row, column, kind)
        return r

    def arrears(self) -> _Rows:
        """A tenth of the groups owe, or paid late, bills of every age; a third of them paid in full since."""
        w, rng = self.w, self.rng
        months = len(w.win.labels)
        billed = self.billed()
        owing = np.flatnonzero((rng.random(w.n_groups) < 0.10) & (w.g_close == NEVER))
        rows = []
        for k, g in enumerate(owing.tolist()):
            for age in sorted({AGES[k % len(AGES)], AGES[(k * 7 + 3) % len(AGES)]}):
                m = months - 1 - age
                due = round(float(billed[g, m]), 2)
                if due <= 0:
                    continue
                paid = due if rng.random() < 0.3 else round(due * float(rng.choice([0, 0, .2, .5, .8])), 2)
                last_paid = "" if paid == 0 else _day_text(int(w.win.end[m]) + int(rng.integers(5, 40)), 0)
                rows.append([w.win.labels[m].replace("-", ""), group_ids(np.array([g]))[0], f"{due:.2f}",
                             f"{paid:.2f}", last_paid])
        r = _Rows("欠费_202610.csv", "arrears", ["账期", "集团编码", "应收金额", "实收金额", "最近缴费日期"], rows)
        r.set_columns(["bill_month", "group_id", "amount_due", "amount_paid", "last_paid_date"])
        for spoil, column, kind in [(lambda x: x.__setitem__(3, f"{float(x[2]) + 100:.2f}"), "amount_paid", "out_of_range"),
                                    (lambda x: x.__setitem__(3, f"{float(x[2]) * 2:.2f}"), "amount_paid", "out_of_range"),
                                    (lambda x: x.__setitem__(2, "-500.00"), "amount_due", "out_of_range"),
                                    (lambda x: x.__setitem__(0, "2026-13"), "bill_month", "bad_month"),
                                    (lambda x: x.__setitem__(1, "G99996"), "group_id", "unknown_reference")]:
            row = r.template(rng)
            row[0] = "202410"   # a month of its own, so the flawed row shares no group's key
            spoil(row)
            r.plant(rng, row, column, kind)
        return r

    def targets(self) -> _Rows:
        """Every branch's and the province's targets for every quarter and, for revenue, every month."""
        w, rng = self.w, self.rng
        ids = [b[0] for b in BRANCHES]
        months = w.win.labels
        billed = self.billed()
        by_branch = np.zeros((len(ids), len(months)))
        np.add.at(by_branch, w.g_branch, billed)
        members = self._members_by_branch()
        rows = []
        quarters = sorted({_quarter(m) for m in months})
        for q in quarters:
            inside = [i for i, m in enumerate(months) if _quarter(m) == q]
            for b, bid in enumerate(ids):
                factor = TARGET_FACTOR[bid] * rng.uniform(0.98, 1.02)
                # a quarter's revenue target: three of its months at the pace of those in the data
                rows.append([q, bid, "revenue", round(by_branch[b, inside].mean() * 3 * factor, -3)])
                rows.append([q, bid, "members", round(members[b, inside[-1]] * (0.97 + 0.05 * (factor > 1)))])
                churn = 0.0095 * BRANCHES[b][4] * (1.1 if factor < 1 else 0.9)
                rows.append([q, bid, "member_churn_rate", round(churn, 4)])
                rows.append([q, bid, "visit_compliance", 0.85])
                rows.append([q, bid, "sla_resolve_compliance", 0.90])
                rows.append([q, bid, "star_fit_rate", 0.80])
            total = sum(r[3] for r in rows if r[0] == q and r[2] == "revenue" and r[1])
            rows.append([q, "", "revenue", round(total * 0.98, -3)])
            rows.append([q, "", "visit_compliance", 0.85])
        for i, m in enumerate(months):
            for b, bid in enumerate(ids):
                rows.append([m, bid, "revenue", round(by_branch[b, i] * TARGET_FACTOR[bid] * rng.uniform(.98, 1.02), -2)])
            rows.append([m, "", "revenue", round(by_branch[:, i].sum() * 0.97, -2)])
        forms = rng.integers(0, 4, len(rows))
        cells = [[_period_text(p, f), bid, KPI_ZH[k] if f % 2 else k, _target_text(k, v, f)]
                 for (p, bid, k, v), f in zip(rows, forms.tolist())]
        r = _Rows("考核目标_2026.csv", "targets", ["考核周期", "分公司编码", "考核指标", "目标值"], cells)
        r.set_columns(["period", "branch_id", "kpi", "target"])
        rate = lambda x: x[2] in ("visit_compliance", "走访达标率")   # noqa: E731 - a row filter
        money = lambda x: x[2] in ("revenue", "收入")                 # noqa: E731
        for where, spoil, column, kind in [
                (rate, lambda x: x.__setitem__(3, "1.2"), "target", "out_of_range"),
                (rate, lambda x: x.__setitem__(3, "120%"), "target", "out_of_range"),
                (money, lambda x: x.__setitem__(3, "80%"), "target", "bad_number"),
                (money, lambda x: x.__setitem__(0, "2026-Q5"), "period", "bad_period"),
                (money, lambda x: x.__setitem__(0, "2026年下半年"), "period", "bad_period"),
                (money, lambda x: x.__setitem__(1, "QY"), "branch_id", "unknown_reference")]:
            row = r.template(rng, where)
            spoil(row)
            r.plant(rng, row, column, kind)
        r.duplicate(rng)
        return r

    def _members_by_branch(self) -> np.ndarray:
        """Members active at each month end, by the group's branch."""
        w = self.w
        out = np.zeros((len(BRANCHES), len(w.win.labels)))
        for i, end in enumerate(w.win.end.tolist()):
            active = (w.s_join <= end) & (w.s_leave > end)
            np.add.at(out[:, i], w.g_branch[w.s_group[active]], 1)
        return out


def write_plan_exports(sample, plan: Plan) -> None:
    """The new exports into the sample folder (the new-product bills among them)."""
    for rows, encoding in ((plan.new_product_bills(), "utf-8"), (plan.contracts(), "gbk"),
                           (plan.arrears(), "utf-8-sig"), (plan.targets(), "utf-8")):
        _write_text(sample.folder, rows, encoding=encoding)
        sample.done(rows)


def _add_years(day: int, years: int) -> int:
    d = EPOCH + dt.timedelta(days=day)
    moved = d.replace(year=d.year + years) if (d.month, d.day) != (2, 29) else d.replace(year=d.year + years, day=28)
    return (moved - EPOCH).days


def _day_text(day: int, form: int) -> str:
    return _dates(np.array([day]), ("iso", "slash", "compact")[form])[0]


def _quarter(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}"


def _period_text(period: str, form: int) -> str:
    """A target's period as planning spreadsheets write it: 2026-Q3, 2026Q3, 2026年第3季度, 2026年三季度."""
    if "Q" not in period:
        return period if form % 2 else period.replace("-", "")
    year, q = period[:4], period[-1]
    return [period, f"{year}Q{q}", f"{year}年第{q}季度", f"{year}年{'一二三四'[int(q) - 1]}季度"][form]


def _target_text(kpi: str, value: float, form: int) -> str:
    if kpi in ("member_churn_rate", "visit_compliance", "sla_resolve_compliance", "star_fit_rate"):
        return f"{value * 100:g}%" if form >= 2 else f"{value:g}"
    return f"{value:.0f}" if form != 3 else f"{value:,.0f}"
