"""A small folder for 拍照 retention (docs/metrics.md: Snapshot retention), every figure worked out by hand.

    group  branch class manager county  open / close            bills Dec / Jan / Feb / Mar
    G1     GZ     A     M1      天河     2020-01-01              1000 /  900 /  800 / 1100
    G2     SZ     B     M2      —        2020-01-01               500 /  500 /  400 /  250
    G3     GZ     C     M1      越秀     2020-01-01 / 2026-02-15  200 /  200 /   50 /    —
    G4     GZ     B     M1      —        2026-01-10                 — /  100 /  300 /  600

The snapshot month is December 2025 (the default for a period of 2026): the base is G1, G2, G3 (G4 opened
after it: new). Members (join → leave):
    G1  m1 2025-01-01 → —;  m2 2025-01-01 → 2026-01-20;  m3 2025-12-31 → 2026-03-31;  m4 2026-01-05 → —
    G2  n1 2025-06-01 → 2025-12-31 (left on the snapshot day: not a snapshot member);  n2 2025-06-01 → —
    G3  k1, k2 2025-01-01 → 2026-02-15
Snapshot members: GZ m1 m2 m3 k1 k2 = 5, SZ n2 = 1.

At the end of March (judged month of 2026-03 and 2026-Q1):
    group retention   GZ 1 ÷ 2 = 0.5 (G3 closed), SZ 1 ÷ 1;  end of February the same: MoM 0
    revenue retention GZ (1100 + 0) ÷ (1000 + 200) = 11/12, February 850/1200: MoM 11/12 − 17/24 = 5/24;
                      SZ 250 ÷ 500 = 0.5, February 0.8: MoM −0.3
    member retention  GZ m1 only: 1/5 (m3 left on 31 March, not after it), February m1 m3: 2/5, MoM −0.2;
                      SZ 1/1, MoM 0
    existing / new    2026-03: GZ 1100 / 600, SZ 250 / 0;  2026-Q1: GZ 900+800+1100+200+50 = 3050 / 1000,
                      SZ 1150 / 0
"""
from __future__ import annotations

from pathlib import Path

from conftest import write_text

BILL = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]
BILLS = {"G1": [1000, 900, 800, 1100], "G2": [500, 500, 400, 250], "G3": [200, 200, 50, None],
         "G4": [None, 100, 300, 600]}
MONTHS = ["202512", "202601", "202602", "202603"]


def write_exports(folder: Path) -> Path:
    write_text(folder / "branches.csv", ["branch_id", "branch_name"], [["GZ", "广州"], ["SZ", "深圳"]])
    write_text(folder / "managers.csv", ["manager_id", "manager_name", "branch_id", "star_level", "county"],
               [["M1", "张三", "GZ", "3", "天河"], ["M2", "李四", "SZ", "2", ""]])
    write_text(folder / "groups.csv", ["group_id", "group_name", "branch_id", "class", "manager_id", "open_date",
                                       "close_date", "county"],
               [["G1", "甲集团", "GZ", "A", "M1", "2020-01-01", "", "天河"],
                ["G2", "乙集团", "SZ", "B", "M2", "2020-01-01", "", ""],
                ["G3", "丙集团", "GZ", "C", "M1", "2020-01-01", "2026-02-15", "越秀"],
                ["G4", "丁集团", "GZ", "B", "M1", "2026-01-10", "", ""]])
    write_text(folder / "billing.csv", BILL,
               [[m, g, "", "line", str(a)] for g, amounts in BILLS.items() for m, a in zip(MONTHS, amounts)
                if a is not None])
    write_text(folder / "members.csv", ["subscriber_id", "group_id", "join_date", "leave_date"], [
        ["13800000001", "G1", "2025-01-01", ""], ["13800000002", "G1", "2025-01-01", "2026-01-20"],
        ["13800000003", "G1", "2025-12-31", "2026-03-31"], ["13800000004", "G1", "2026-01-05", ""],
        ["13900000001", "G2", "2025-06-01", "2025-12-31"], ["13900000002", "G2", "2025-06-01", ""],
        ["13700000001", "G3", "2025-01-01", "2026-02-15"], ["13700000002", "G3", "2025-01-01", "2026-02-15"]])
    return folder
