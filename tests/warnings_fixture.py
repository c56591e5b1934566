"""A small folder for the early warnings (docs/metrics.md: Early warnings), each kind at its boundaries.

Period 2026-06, as-of time 2026-06-30 18:00 (settings time.as_of). Groups (branch, class, manager):
G1 GZ A M1, G2 GZ B M1, G3 GZ B M3, G4 SZ C M2, G5 GZ C M3 (closed 2026-06-10).

Revenue slide (Mar / Apr / May / Jun; the June figure against March):
    G1 1000 / 950 / 900 / 800   exactly 20 % below, falling every month → warned, 200 at stake
    G2 1000 / 950 / 900 / 801   19.9 % → not
    G3 1000 / 700 / 750 / 500   not falling every month → not
    G4 1000 / 900 / 800 / 500   50 % → warned, 500
    G5 1000 / 800 / 600 / 100   closed before the end of June → not
    (G1's May is 812 group-level + 88 of its member h1.)
Contracts (days from 2026-06-30 to the end): K1 G1 2026-09-28 = day 90, 300 a month → warned;
    K2 G2 2026-09-29 = day 91 → not; K3 G4 2026-07-15 renewed by K4 → not (K4 ends 2027-07-14);
    K5 G3 2026-06-30 = day 0, no monthly value → warned; K6 G1 2026-06-29, already ended → not (renewed
    by K7, which ends 2027-06-29). Renewal rate of June: K5 and K6 end in it, K6 is renewed → 1 ÷ 2.
Arrears (months from the bill month to 2026-06):
    G1 202606 100 paid 100 → paid in full, no warning;  G1 202605 300 paid 100 → 1 month: '<=1', 200
    G2 202604 500 paid 0 (2 months) + 202603 100 paid 50 (3) → '2-3', 550, oldest 3 months
    G3 202602 400 (4) + 202512 60 (6) → '4-6', 460;  G3 202606 10 (0 months) → '<=1', 10
    G4 202511 1000 (7) → '>6', 1000
High-value members leaving in June: h1 diamond of G1 on 2026-06-10 (billed 88 in May) → warned, 88;
    h4 gold of G4 on 2026-06-30 (no bill of its own: G4's May revenue 800 ÷ its 1 member) → warned, 800;
    h2 gold of G1 left 2026-05-31 and h3 silver of G1 left 2026-06-05 → not.
"""
from __future__ import annotations

from pathlib import Path

from conftest import write_text

BILL = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]
MONTHS = ["202603", "202604", "202605", "202606"]
REVENUE = {"G1": [1000, 950, 812, 800], "G2": [1000, 950, 900, 801], "G3": [1000, 700, 750, 500],
           "G4": [1000, 900, 800, 500], "G5": [1000, 800, 600, 100]}
EXPECTED = [  # kind, group, detail, amount, value — in the list's order (money at stake first)
    ("arrears", "G4", ">6", 1000.0, 7.0), ("high_value_churn", "G4", "gold", 800.0, None),
    ("arrears", "G2", "2-3", 550.0, 3.0),
    ("revenue_slide", "G4", "2026-03→2026-06", 500.0, 0.5), ("arrears", "G3", "4-6", 460.0, 6.0),
    ("contract_expiry", "G1", "K1", 300.0, 90.0), ("revenue_slide", "G1", "2026-03→2026-06", 200.0, 0.2),
    ("arrears", "G1", "<=1", 200.0, 1.0), ("high_value_churn", "G1", "diamond", 88.0, None),
    ("arrears", "G3", "<=1", 10.0, 0.0),
    ("contract_expiry", "G3", "K5", None, 0.0)]
AS_OF = "2026-06-30 18:00"


def write_exports(folder: Path) -> Path:
    write_text(folder / "branches.csv", ["branch_id", "branch_name"], [["GZ", "广州"], ["SZ", "深圳"]])
    write_text(folder / "managers.csv", ["manager_id", "manager_name", "branch_id", "star_level"],
               [["M1", "张三", "GZ", "3"], ["M2", "李四", "SZ", "2"], ["M3", "王五", "GZ", "2"]])
    write_text(folder / "groups.csv", ["group_id", "group_name", "branch_id", "class", "manager_id", "open_date",
                                       "close_date"],
               [["G1", "甲集团", "GZ", "A", "M1", "2020-01-01", ""], ["G2", "乙集团", "GZ", "B", "M1", "2020-01-01", ""],
                ["G3", "丙集团", "GZ", "B", "M3", "2020-01-01", ""], ["G4", "丁集团", "SZ", "C", "M2", "2020-01-01", ""],
                ["G5", "戊集团", "GZ", "C", "M3", "2020-01-01", "2026-06-10"]])
    bills = [[m, g, "", "line", str(a)] for g, amounts in REVENUE.items() for m, a in zip(MONTHS, amounts)]
    bills.append(["202605", "G1", "13800000001", "voice", "88"])
    write_text(folder / "billing.csv", BILL, bills)
    write_text(folder / "members.csv", ["subscriber_id", "group_id", "vip_tier", "join_date", "leave_date"], [
        ["13800000001", "G1", "钻石卡", "2020-01-01", "2026-06-10"], ["13800000002", "G1", "gold", "2020-01-01", "2026-05-31"],
        ["13800000003", "G1", "silver", "2020-01-01", "2026-06-05"], ["13900000004", "G4", "金卡", "2020-01-01", "2026-06-30"],
        ["13800000005", "G1", "diamond", "2020-01-01", ""]])
    write_text(folder / "contracts.csv", ["contract_id", "group_id", "product", "start_date", "end_date",
                                          "monthly_value", "renewed_from"],
               [["K1", "G1", "line", "2025-09-29", "2026-09-28", "300", ""],
                ["K2", "G2", "line", "2025-09-30", "2026-09-29", "400", ""],
                ["K3", "G4", "cloud", "2025-07-16", "2026-07-15", "900", ""],
                ["K4", "G4", "cloud", "2026-07-15", "2027-07-14", "950", "K3"],
                ["K5", "G3", "5g_private", "2025-07-01", "2026-06-30", "", ""],
                ["K6", "G1", "idc", "2025-06-30", "2026-06-29", "700", ""],
                ["K7", "G1", "idc", "2026-06-30", "2027-06-29", "720", "K6"]])
    write_text(folder / "arrears.csv", ["bill_month", "group_id", "amount_due", "amount_paid"],
               [["202606", "G1", "100", "100"], ["202605", "G1", "300", "100"], ["202604", "G2", "500", "0"],
                ["202603", "G2", "100", "50"], ["202602", "G3", "400", "0"], ["202512", "G3", "60", "0"],
                ["202606", "G3", "10", "0"], ["202511", "G4", "1000", "0"]])
    return folder
