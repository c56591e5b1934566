"""Hand-made exports for the managers / visits / orders tests, with every figure worked out by hand.

Period under test: 2026-Q2 (April–June 2026); billing covers January–June 2026, so the previous
quarter exists and the year before does not. Three three-star managers in GZ are ranked against
each other (M1, M2, M3); one two-star (M4) and one one-star (M6) in SZ are alone in their star
level; M5 (one-star) left on 2026-05-10 and his group went to M6.

    group  branch class  manager (assignments)                      members at 2026-03-31 → leavers
    G1     GZ     A      M1                                          4 → one leaves 2026-05-20
    G2     GZ     B      M1                                          2
    G3     GZ     A      M1 to 2026-05-15, M2 from 2026-05-16        5 → one leaves 2026-04-10
    G4     GZ     A      M2                                          3
    G5     GZ     A      M3                                          2
    G6     SZ     B      M4                                          2
    G9     SZ     A      M4 (a two-star manager on an A group)       2
    G7     SZ     C      M5 to 2026-05-10, M6 from 2026-05-11        2 → one leaves 2026-06-05
    G8     SZ     C      M6                                          1

The manager in a month is the one whose assignment covers the month end: G3 is M1's in April and
M2's in May and June; G7 is M5's in April and M6's in May and June.
"""
from __future__ import annotations

from pathlib import Path

from conftest import write_text
from kam.figures.query import Warehouse
from kam.figures.settings import load_settings
from kam.storage.warehouse import refresh

MANAGERS = [
    ["M1", "张一", "GZ", "3", "staff", "2018-01-01", ""],
    ["M2", "李二", "GZ", "3", "staff", "2019-01-01", ""],
    ["M3", "王三", "GZ", "3", "outsourced", "2020-01-01", ""],
    ["M4", "赵四", "SZ", "2", "staff", "2020-01-01", ""],
    ["M5", "钱五", "SZ", "1", "outsourced", "2021-01-01", "2026-05-10"],
    ["M6", "孙六", "SZ", "1", "staff", "2022-01-01", ""],
]
GROUPS = [  # group_id, name, branch, class, recorded manager
    ("G1", "甲集团", "GZ", "A", "M1"), ("G2", "乙集团", "GZ", "B", "M1"), ("G3", "丙集团", "GZ", "A", "M2"),
    ("G4", "丁集团", "GZ", "A", "M2"), ("G5", "戊集团", "GZ", "A", "M3"), ("G6", "己集团", "SZ", "B", "M4"),
    ("G9", "壬集团", "SZ", "A", "M4"), ("G7", "庚集团", "SZ", "C", "M6"), ("G8", "辛集团", "SZ", "C", "M6"),
]
ASSIGNMENTS = [
    ["G3", "M1", "2020-01-01", "2026-05-15"], ["G3", "M2", "2026-05-16", ""],
    ["G7", "M5", "2020-01-01", "2026-05-10"], ["G7", "M6", "2026-05-11", ""],
]
# Monthly group-level revenue: (January–March each, April–June each).
REVENUE = {"G1": (100, 110), "G2": (50, 55), "G3": (200, 220), "G4": (100, 100), "G5": (100, 100),
           "G6": (80, 80), "G9": (300, 300), "G7": (40, 40), "G8": (30, 30)}
MEMBERS = {"G1": 4, "G2": 2, "G3": 5, "G4": 3, "G5": 2, "G6": 2, "G9": 2, "G7": 2, "G8": 1}
LEAVERS = {"G1": "2026-05-20", "G3": "2026-04-10", "G7": "2026-06-05"}  # the group's first member leaves

# Counted visits (kind visit or care) per group; * marks the care visit, R a `received` one (not counted).
VISITS = [
    # G1 (A): exactly 6 in Q2 — at the quarter's standard; 2 in June — exactly at the monthly standard
    ("G1", "M1", "2026-04-03", "visit"), ("G1", "M1", "2026-04-17", "visit"), ("G1", "M1", "2026-05-06", "visit"),
    ("G1", "M1", "2026-05-20", "visit"), ("G1", "M1", "2026-06-03", "visit"), ("G1", "M1", "2026-06-17", "care*"),
    # G2 (B): 2 in Q2 (needs 3); 1 in June (needs 1)
    ("G2", "M1", "2026-04-10", "visit"), ("G2", "M1", "2026-06-10", "visit"),
    # G3 (A): 6 in Q2, two by M1 before the hand-over and four by M2
    ("G3", "M1", "2026-04-02", "visit"), ("G3", "M1", "2026-04-16", "visit"), ("G3", "M2", "2026-05-20", "visit"),
    ("G3", "M2", "2026-05-27", "visit"), ("G3", "M2", "2026-06-05", "visit"), ("G3", "M2", "2026-06-19", "visit"),
    # G4 (A): 5 counted in Q2 (needs 6) plus a received visit that does not count
    ("G4", "M2", "2026-04-08", "visit"), ("G4", "M2", "2026-04-22", "visit"), ("G4", "M2", "2026-05-08", "visit"),
    ("G4", "M2", "2026-06-08", "visit"), ("G4", "M2", "2026-06-22", "visit"), ("G4", "M2", "2026-06-25", "R"),
    # G5 (A): 6 in Q2
    ("G5", "M3", "2026-04-01", "visit"), ("G5", "M3", "2026-04-15", "visit"), ("G5", "M3", "2026-05-01", "visit"),
    ("G5", "M3", "2026-05-15", "visit"), ("G5", "M3", "2026-06-01", "visit"), ("G5", "M3", "2026-06-15", "visit"),
    # G6 (B): one a month
    ("G6", "M4", "2026-04-05", "visit"), ("G6", "M4", "2026-05-05", "visit"), ("G6", "M4", "2026-06-05", "visit"),
    # G9 (A): never visited
    # G7 (C): its one visit is in March — it covers April and May (three months ending with them), not June
    ("G7", "M5", "2026-03-20", "visit"),
    # G8 (C): its one visit a quarter is in April — compliant in June on the April visit
    ("G8", "M6", "2026-04-15", "care*"),
]
ORDERS_HEADER = ["order_id", "group_id", "manager_id", "product", "visited_at", "handled_at", "contracted_at",
                 "built_at", "activated_at", "monthly_value"]
ORDERS = [
    # O1 skips nothing: 2 + 5 + 10 + 2 days = 19 days from visit to activation
    ["O1", "G1", "M1", "line", "2026-04-01 10:00", "2026-04-03 10:00", "2026-04-08 10:00", "2026-04-18 10:00",
     "2026-04-20 10:00", "5000"],
    # O2 stops after the contract (1 + 4 days) and is stuck there since 2026-04-15 10:00
    ["O2", "G3", "M1", "ict", "2026-04-10 10:00", "2026-04-11 10:00", "2026-04-15 10:00", "", "", "8000"],
    # O3 skips nothing: 3 + 6 + 20 + 2 days = 31 days
    ["O3", "G5", "M3", "data", "2026-05-01 00:00", "2026-05-04 00:00", "2026-05-10 00:00", "2026-05-30 00:00",
     "2026-06-01 00:00", "3000"],
    # O4 visited only, 10.75 days before the as-of time
    ["O4", "G6", "M4", "voice", "2026-06-20 00:00", "", "", "", "", ""],
    # O5 visited at the as-of time itself (the latest time in the exports: 2026-06-30 18:00)
    ["O5", "G8", "M6", "line", "2026-06-30 18:00", "", "", "", "", ""],
    # O6 was visited in March (outside Q2's funnel) and activated in April (counts as activated in Q2)
    ["O6", "G2", "M1", "data", "2026-03-15 10:00", "2026-03-20 10:00", "2026-03-25 10:00", "2026-04-25 10:00",
     "2026-04-30 10:00", "1000"],
]
COMPLAINTS_HEADER = ["ticket_id", "group_id", "subscriber_id", "category", "severity", "channel", "created_at",
                     "first_response_at", "resolved_at", "followup_at", "satisfaction"]
COMPLAINTS = [
    # G1 (A, M1) severity 2: resolved in 11 h (target 24 h), satisfaction 5
    ["T1", "G1", "", "network", "2", "hotline", "2026-04-01 09:00", "2026-04-01 09:30", "2026-04-01 20:00",
     "2026-04-02 10:00", "5"],
    # G2 (B, M1) severity 3: resolved in 96 h (target 72 h) — breached, satisfaction 3
    ["T2", "G2", "", "billing", "3", "manager", "2026-05-01 09:00", "2026-05-01 10:00", "2026-05-05 09:00",
     "2026-05-06 09:00", "3"],
    # G1 (A, M1) severity 3, still open at the as-of time after 8 h (target 48 h): not breached
    ["T5", "G1", "", "fault", "3", "hotline", "2026-06-30 10:00", "2026-06-30 11:00", "", "", ""],
    # G3 (A, created in June: M2's) severity 1: resolved in 3 h (target 4 h), satisfaction 4
    ["T3", "G3", "", "fault", "1", "hotline", "2026-06-02 09:00", "2026-06-02 09:30", "2026-06-02 12:00",
     "2026-06-03 09:00", "4"],
    # G4 (A, M2) severity 1: resolved in 5 h (target 4 h) — breached, satisfaction 2
    ["T4", "G4", "", "network", "1", "store", "2026-06-10 09:00", "2026-06-10 09:30", "2026-06-10 14:00",
     "2026-06-11 09:00", "2"],
]


def write_exports(folder: Path) -> Path:
    """The files above, written into a base_folder (its branches GZ and SZ are kept)."""
    write_text(folder / "managers.csv",
               ["manager_id", "manager_name", "branch_id", "star_level", "employment", "hire_date", "leave_date"],
               MANAGERS)
    write_text(folder / "groups.csv",
               ["group_id", "group_name", "branch_id", "industry", "sector", "class", "manager_id", "open_date",
                "close_date"],
               [[g, n, b, "制造", "enterprise", c, m, "2020-01-01", ""] for g, n, b, c, m in GROUPS])
    write_text(folder / "assignments.csv", ["group_id", "manager_id", "start_date", "end_date"], ASSIGNMENTS)
    members = []
    for group, count in MEMBERS.items():
        for i in range(count):
            leave = LEAVERS.get(group, "") if i == 0 else ""
            members.append([f"139{int(group[1:]):04d}{i:04d}", group, "none", "2025-01-01", leave])
    write_text(folder / "members.csv", ["subscriber_id", "group_id", "vip_tier", "join_date", "leave_date"], members)
    billing = []
    for group, (q1, q2) in REVENUE.items():
        for month in range(1, 7):
            billing.append([f"2026{month:02d}", group, "", "line", str(q1 if month <= 3 else q2)])
    write_text(folder / "billing.csv", ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"], billing)
    visits = []
    for i, (group, manager, day, kind) in enumerate(VISITS, start=1):
        code = {"visit": "visit", "care*": "care", "R": "received"}[kind]
        visits.append([f"V{i:03d}", manager, group, day, code, "communicate" if code == "care" else ""])
    write_text(folder / "visits.csv", ["visit_id", "manager_id", "group_id", "visit_date", "kind", "theme"], visits)
    write_text(folder / "orders.csv", ORDERS_HEADER, ORDERS)
    write_text(folder / "complaints.csv", COMPLAINTS_HEADER, COMPLAINTS)
    return folder


def load(folder: Path) -> Warehouse:
    refresh(folder)
    return Warehouse(folder, load_settings())
