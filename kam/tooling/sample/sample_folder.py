"""The sample scale's export folder: the file names, formats, encodings and header languages met
in the field, with a few rows of every error the contract sets aside planted in them."""
from __future__ import annotations

import datetime as dt
import pathlib

import numpy as np

from kam.tooling.sample.channels import complaints, orders, visits
from kam.tooling.sample.province import (BRANCHES, CHANNEL_ZH, CLASSES, FEE_ITEMS, FEE_ZH, INDUSTRIES, KIND_ZH,
                                         MGMT_ZH, THEME_ZH, VIP_TIERS, VIP_ZH)
from kam.tooling.sample.rows import _Rows, _write_text
from kam.tooling.sample.scales import EPOCH
from kam.tooling.sample.text_forms import _amounts, _dates, _times, group_ids, manager_ids
from kam.tooling.sample.world import World, assignments


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
                                     _dates(w.m_hire, "slash"), _dates(w.m_leave, "slash"), self.plan.m_county)]
        r = _Rows("客户经理.csv", "managers",
                  ["客户经理编码", "客户经理姓名", "分公司编码", "星级", "用工性质", "入职日期", "离职日期", "区县"], rows)
        r.set_columns(["manager_id", "manager_name", "branch_id", "star_level", "employment",
                       "hire_date", "leave_date", "county"])
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
                                     manager_ids(w.g_manager).tolist(), opened, _dates(w.g_close),
                                     self.plan.g_county)]
        r = _Rows("groups.xlsx", "groups",
                  ["集团编码", "集团名称", "分公司编码", "行业", "客户类型", "集团等级", "客户经理编码",
                   "建档日期", "销户日期", "区县"], rows)
        r.set_columns(["group_id", "group_name", "branch_id", "industry", "sector", "class", "manager_id",
                       "open_date", "close_date", "county"])
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
