"""A small hand-made export folder for the customer-base pages, with every figure worked out by hand.

Three branches, four managers, seven groups, eleven members and five billing months
(2025-06, then 2026-03 … 2026-06: the nine months between have no billing at all, so
they are "missing" months, and 2025-05 / 2025-Q2 are missing for YoY).

    group  branch class manager(star) open        close        industry  sector
    G1     GZ     A     M1 (3)        2020-01-01               政府       government
    G2     GZ     B     M2 (1)        2020-01-01               金融       enterprise   B needs 2 stars: misfit
    G3     GZ     A     —             2020-01-01               制造       enterprise   A without a manager
    G4     SZ     C     M3 (2)        2020-01-01  2026-06-15   教育       government   closes mid-June
    G5     SZ     B     M3 (2)        2020-01-01               医疗       enterprise
    G6     FS     C     M4 (3)        2026-05-10               商贸       enterprise   new in May
    G7     FS     C     M4 (3)        2020-01-01               交通物流   enterprise   no members

Revenue per month (yuan; fee items in brackets):

    group  2025-06  2026-03  2026-04  2026-05  2026-06
    G1     40000    50000    50000    50000    50000   (line 30000 + voice rest)
    G2      6000    10000    10000    10000     8300   (line 5000 + voice rest)
    G3     30000    30000    30000    30000    20000   (voice)
    G4      2000     3000     3000     3000     1500   (voice)
    G5      5000    10000    40000    40000    20000   (data)
    G6         —        —        —      500     1000   (vnet)
    G7      1000     1000     1000     1000      700   (voice; June also a line row of 0.00)

Members (join 2019-01-01 unless said): G1 m1 diamond, m2 gold (left 2026-06-10), m3 gold (joined
2026-04-15); G2 m4 silver, m5 none; G3 m6 vip; G4 m7 none (left 2026-06-15), m8 none (never
left: lingers in a closed group); G5 m9 gold, m10 silver (left 2026-05-20); G6 m11 none (joined
2026-05-10); G7 none.

Tickets (resolution targets: sev 1 A/B/C 4/8/24 h, sev 2 24/48/72 h, sev 3 48/72/120 h):
T1 G1 sev2 06-01 09:00 → 20:00 (11 h, ok); T2 G2 sev1 06-02 09:00 → 19:00 (10 h > 8, breach);
T3 G3 sev3 06-10 09:00 → 06-13 09:00 (72 h > 48, breach); T4 G5 sev2 06-05 10:00 → 06-06 10:00
(24 h, ok); T5 G7 sev3 06-20 08:00, still open at the as-of time 2026-06-30 00:00 (232 h > 120,
breach); T6 G1 sev2 2026-05-10 09:00 → 12:00 (ok).

Visits (visit and care count, received does not): G1 06-03 visit, 06-17 care; G2 06-05 received;
G3 06-08 visit (by M1); G5 06-30 visit (the latest time: as-of 2026-06-30 00:00); G7 2026-04-02 visit.
"""
from __future__ import annotations

from pathlib import Path

from conftest import write_text
from kam.figures.query import Warehouse
from kam.figures.settings import load_settings
from kam.storage.warehouse import refresh

BILLING_HEADER = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]

REVENUE = {  # group → month → [(fee_item, amount)]
    "G1": {m: [("line", "30000"), ("voice", v)] for m, v in
           {"202506": "10000", "202603": "20000", "202604": "20000", "202605": "20000", "202606": "20000"}.items()},
    "G2": {m: [("line", "5000"), ("voice", v)] for m, v in
           {"202506": "1000", "202603": "5000", "202604": "5000", "202605": "5000", "202606": "3300"}.items()},
    "G3": {m: [("voice", v)] for m, v in
           {"202506": "30000", "202603": "30000", "202604": "30000", "202605": "30000", "202606": "20000"}.items()},
    "G4": {m: [("voice", v)] for m, v in
           {"202506": "2000", "202603": "3000", "202604": "3000", "202605": "3000", "202606": "1500"}.items()},
    "G5": {m: [("data", v)] for m, v in
           {"202506": "5000", "202603": "10000", "202604": "40000", "202605": "40000", "202606": "20000"}.items()},
    "G6": {"202605": [("vnet", "500")], "202606": [("vnet", "1000")]},
    "G7": {m: [("voice", v)] for m, v in
           {"202506": "1000", "202603": "1000", "202604": "1000", "202605": "1000", "202606": "700"}.items()},
}
REVENUE["G7"]["202606"].append(("line", "0.00"))


def write_customers(folder: Path) -> Path:
    """Write the export files above into folder (replacing base_folder's own)."""
    write_text(folder / "branches.csv", ["branch_id", "branch_name", "mgmt_model"],
               [["GZ", "广州", "support"], ["SZ", "深圳", "parallel"], ["FS", "佛山", "vertical"]])
    write_text(folder / "managers.csv",
               ["manager_id", "manager_name", "branch_id", "star_level", "employment", "hire_date", "leave_date"],
               [["M1", "张三", "GZ", "3", "staff", "2018-01-01", ""],
                ["M2", "李四", "GZ", "1", "outsourced", "2021-01-01", ""],
                ["M3", "王五", "SZ", "2", "staff", "2019-01-01", ""],
                ["M4", "赵六", "FS", "3", "staff", "2017-01-01", ""]])
    write_text(folder / "groups.csv",
               ["group_id", "group_name", "branch_id", "industry", "sector", "class", "manager_id",
                "open_date", "close_date"],
               [["G1", "甲集团", "GZ", "政府", "government", "A", "M1", "2020-01-01", ""],
                ["G2", "乙集团", "GZ", "金融", "enterprise", "B", "M2", "2020-01-01", ""],
                ["G3", "丙集团", "GZ", "制造", "enterprise", "A", "", "2020-01-01", ""],
                ["G4", "丁集团", "SZ", "教育", "government", "C", "M3", "2020-01-01", "2026-06-15"],
                ["G5", "戊集团", "SZ", "医疗", "enterprise", "B", "M3", "2020-01-01", ""],
                ["G6", "己集团", "FS", "商贸", "enterprise", "C", "M4", "2026-05-10", ""],
                ["G7", "庚集团", "FS", "交通物流", "enterprise", "C", "M4", "2020-01-01", ""]])
    write_text(folder / "members.csv", ["subscriber_id", "group_id", "vip_tier", "join_date", "leave_date"],
               [["13800000001", "G1", "diamond", "2019-01-01", ""],
                ["13800000002", "G1", "gold", "2019-01-01", "2026-06-10"],
                ["13800000003", "G1", "gold", "2026-04-15", ""],
                ["13800000004", "G2", "silver", "2019-01-01", ""],
                ["13800000005", "G2", "none", "2019-01-01", ""],
                ["13800000006", "G3", "vip", "2019-01-01", ""],
                ["13800000007", "G4", "none", "2019-01-01", "2026-06-15"],
                ["13800000008", "G4", "none", "2019-01-01", ""],
                ["13800000009", "G5", "gold", "2019-01-01", ""],
                ["13800000010", "G5", "silver", "2019-01-01", "2026-05-20"],
                ["13800000011", "G6", "none", "2026-05-10", ""]])
    rows = [[month, group, "", fee, amount]
            for group, months in REVENUE.items() for month, items in months.items() for fee, amount in items]
    write_text(folder / "billing.csv", BILLING_HEADER, rows)
    write_text(folder / "complaints.csv",
               ["ticket_id", "group_id", "subscriber_id", "category", "severity", "channel", "created_at",
                "first_response_at", "resolved_at", "followup_at", "satisfaction"],
               [["T1", "G1", "13800000001", "network", "2", "hotline", "2026-06-01 09:00", "2026-06-01 09:30",
                 "2026-06-01 20:00", "2026-06-02 10:00", "5"],
                ["T2", "G2", "", "billing", "1", "manager", "2026-06-02 09:00", "2026-06-02 09:30",
                 "2026-06-02 19:00", "", ""],
                ["T3", "G3", "", "fault", "3", "store", "2026-06-10 09:00", "2026-06-10 10:00",
                 "2026-06-13 09:00", "", ""],
                ["T4", "G5", "", "other", "2", "online", "2026-06-05 10:00", "2026-06-05 11:00",
                 "2026-06-06 10:00", "", ""],
                ["T5", "G7", "", "network", "3", "hotline", "2026-06-20 08:00", "", "", "", ""],
                ["T6", "G1", "", "attitude", "2", "hotline", "2026-05-10 09:00", "2026-05-10 09:10",
                 "2026-05-10 12:00", "", ""]])
    write_text(folder / "visits.csv", ["visit_id", "manager_id", "group_id", "visit_date", "kind", "theme"],
               [["V1", "M1", "G1", "2026-06-03", "visit", ""],
                ["V2", "M1", "G1", "2026-06-17", "care", "communicate"],
                ["V3", "M2", "G2", "2026-06-05", "received", ""],
                ["V4", "M1", "G3", "2026-06-08", "visit", ""],
                ["V5", "M3", "G5", "2026-06-30", "visit", ""],
                ["V6", "M4", "G7", "2026-04-02", "visit", ""]])
    write_text(folder / "orders.csv",
               ["order_id", "group_id", "manager_id", "product", "visited_at", "handled_at", "contracted_at",
                "built_at", "activated_at", "monthly_value"],
               [["O1", "G1", "M1", "ict", "2026-06-03 10:00", "2026-06-05 10:00", "", "", "", "3000"]])
    return folder


def load(folder: Path) -> Warehouse:
    """Write the folder, load it and open its warehouse."""
    write_customers(folder)
    refresh(folder)
    return open_warehouse(folder)


def open_warehouse(folder: Path) -> Warehouse:
    return Warehouse(folder, load_settings())
