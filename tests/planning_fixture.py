"""A small hand-made export folder for the planner tools, with every figure worked out by hand.

As-of time 2026-06-30 12:00 (set in the settings, `time.as_of`); period 2026-06; billing
months 2026-03 … 2026-06 (so April has a previous month for member churn).

Managers                                           employed at the as-of time?
    M1  GZ 3★ staff       hired 2020-01-01           yes
    M3  GZ 1★ outsourced  hired 2021-01-01           yes
    M5  GZ 2★ staff       hired 2019-01-01, left 2026-01-15   no
    M6  GZ 3★ staff       hired 2026-07-01           no (not yet)
    M7  GZ 3★ staff       hired 2020-01-01, left 2026-06-30   no (00:00 is not later than 12:00)
    M8  GZ 3★ staff       hired 2020-01-01, left 2026-07-01   yes
    M2  SZ 2★ outsourced  hired 2021-01-01           yes
Current: GZ 3★ 2 (M1, M8), 2★ 0, 1★ 1 (M3); SZ 2★ 1 (M2), 3★ 0, 1★ 0.

Groups (active at 2026-06-30 unless said), none with members except GC1:
    GA01…GA21  GZ A, manager M1
    GX1        GZ A, closed 2026-05-01 (not active: not counted)
    GC1        GZ C, manager M3, members m1 (joined 2019) and m2 (joined 2019, left 2026-05-10)
    GB01…GB54  SZ B, manager M2
    GS1…GS7    SZ A, no manager

Staffing (default capacity; every average is ≤ 50 members: A 14–18, B 21–27, C 35–45):
    GZ A: n 21, avg 0  → 21 ÷ 18 = 1.17 → 1; 21 ÷ 14 = 1.5 → 2 (half rounds up) → 1–2, current 2 → within 0
    GZ B: n 0          → 0–0, current 0 → within 0
    GZ C: n 1, avg 1   → 1 ÷ 45 = 0.02 → 0; 1 ÷ 35 = 0.03 → 0 → 0–0, current 1 → surplus +1
    SZ A: n 7, avg 0   → 7 ÷ 18 = 0.39 → 0; 7 ÷ 14 = 0.5 → 1 → 0–1, current 0 → within 0
    SZ B: n 54, avg 0  → 54 ÷ 27 = 2; 54 ÷ 21 = 2.57 → 3 → 2–3, current 1 → short −1
    SZ C: n 0          → 0–0, current 0 → within 0
Province: A 28 groups, 1–3, current 2, within; B 54, 2–3, current 1, short −1; C 1, 0–0, current 1, surplus +1.

Billing: GA01 voice 100 in March, April and May; in June line 100 + voice 300.
Suggested classes (trailing three months' average revenue, A ≥ 30,000, B ≥ 5,000): all C
(GA01: (100 + 100 + 400) ÷ 3 = 200).

Model indicators:
    GZ: active groups 22; line/ICT/data share 100 ÷ 400 = 0.25; capability: employed M1 3★, M3 1★
        outsourced, M8 3★ → mean 7/3 − outsourced 1/3 = 2.0; turnover: employed 2025-06-30 12:00 were
        M1, M3, M5, M7, M8 = 5, left since M5 and M7 = 2 → 0.4; member churn: April 0 ÷ 2 = 0,
        May 1 ÷ 2 = 0.5, June 0 ÷ 1 = 0 → mean 1/6.
    SZ: active groups 61; no revenue → share empty; capability 2 − 1 = 1.0; turnover 0 ÷ 1 = 0;
        no members → churn empty.
"""
from __future__ import annotations

from pathlib import Path

from conftest import write_text
from kam.figures.query import Warehouse
from kam.figures.settings import load_settings
from kam.storage.warehouse import refresh

AS_OF = "2026-06-30 12:00"
MANAGER_HEADER = ["manager_id", "manager_name", "branch_id", "star_level", "employment", "hire_date", "leave_date"]
GROUP_HEADER = ["group_id", "group_name", "branch_id", "industry", "sector", "class", "manager_id", "open_date",
                "close_date"]
MEMBER_HEADER = ["subscriber_id", "group_id", "vip_tier", "join_date", "leave_date"]
BILLING_HEADER = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]


def planning_settings(**overrides):
    return load_settings().with_overrides({"time.as_of": AS_OF, **overrides})


def group(gid: str, branch: str, cls: str, manager: str = "", close: str = "") -> list[str]:
    return [gid, f"集团{gid}", branch, "其他", "enterprise", cls, manager, "2020-01-01", close]


def write_planning_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / "branches.csv", ["branch_id", "branch_name", "mgmt_model"],
               [["GZ", "广州", "support"], ["SZ", "深圳", "parallel"]])
    write_text(folder / "managers.csv", MANAGER_HEADER, [
        ["M1", "张一", "GZ", "3", "staff", "2020-01-01", ""],
        ["M3", "张三", "GZ", "1", "outsourced", "2021-01-01", ""],
        ["M5", "张五", "GZ", "2", "staff", "2019-01-01", "2026-01-15"],
        ["M6", "张六", "GZ", "3", "staff", "2026-07-01", ""],
        ["M7", "张七", "GZ", "3", "staff", "2020-01-01", "2026-06-30"],
        ["M8", "张八", "GZ", "3", "staff", "2020-01-01", "2026-07-01"],
        ["M2", "李二", "SZ", "2", "outsourced", "2021-01-01", ""],
    ])
    groups = [group(f"GA{i:02d}", "GZ", "A", "M1") for i in range(1, 22)]
    groups += [group("GX1", "GZ", "A", "M1", close="2026-05-01"), group("GC1", "GZ", "C", "M3")]
    groups += [group(f"GB{i:02d}", "SZ", "B", "M2") for i in range(1, 55)]
    groups += [group(f"GS{i}", "SZ", "A") for i in range(1, 8)]
    write_text(folder / "groups.csv", GROUP_HEADER, groups)
    write_text(folder / "members.csv", MEMBER_HEADER, [
        ["13800000001", "GC1", "none", "2019-01-01", ""],
        ["13800000002", "GC1", "none", "2019-01-01", "2026-05-10"],
    ])
    write_text(folder / "billing.csv", BILLING_HEADER, [
        ["202603", "GA01", "", "voice", "100"], ["202604", "GA01", "", "voice", "100"],
        ["202605", "GA01", "", "voice", "100"], ["202606", "GA01", "", "line", "100"],
        ["202606", "GA01", "", "voice", "300"],
    ])
    refresh(folder)
    return folder


def warehouse(folder: Path, **overrides) -> Warehouse:
    return Warehouse(folder, planning_settings(**overrides))
