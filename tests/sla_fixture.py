"""Hand-made complaint tickets for the SLA tests: a folder, a warehouse and the tables to check.

Groups come from conftest's base_folder: G1 (branch GZ, class A, manager M1) and G2 (SZ, class B,
M2). Default targets (settings.toml [sla], hours):

    severity   response A / B   resolution A / B      follow-up: 72 h after resolution
    1          1 / 2            4 / 8
    2          2 / 4            24 / 48
    3          4 / 8            48 / 72

Each test writes only the tickets it reasons about, so every figure can be worked out by hand.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from conftest import write_text
from kam.figures.period import Period
from kam.figures.query import Scope, Warehouse
from kam.figures.settings import load_settings
from kam.storage.warehouse import refresh

COMPLAINT_HEADER = ["ticket_id", "group_id", "subscriber_id", "category", "severity", "channel", "created_at",
                    "first_response_at", "resolved_at", "followup_at", "satisfaction"]
BILLING_HEADER = ["bill_month", "group_id", "subscriber_id", "fee_item", "amount"]


def ticket(ticket_id: str, group_id: str, severity: int, created: str, responded: str = "", resolved: str = "",
           followup: str = "", *, category: str = "network", channel: str = "hotline", satisfaction: str = "",
           subscriber: str = "") -> list[str]:
    return [ticket_id, group_id, subscriber, category, str(severity), channel, created, responded, resolved,
            followup, satisfaction]


def complaints_folder(folder: Path, tickets: list[list[str]], months: tuple[str, ...] = ("202606",)) -> Path:
    """base_folder plus a bill for each month (so the months exist) and the tickets, loaded."""
    bills = [[m, g, "", "line", "100"] for m in months for g in ("G1", "G2")]
    write_text(folder / "billing.csv", BILLING_HEADER, bills)
    write_text(folder / "complaints.csv", COMPLAINT_HEADER, tickets)
    refresh(folder)
    return folder


def warehouse(folder: Path, as_of: str | None = None, business_hours: bool = False, **overrides) -> Warehouse:
    """The folder's warehouse with the default settings, an as-of override and the clock chosen."""
    changes = {"business_hours.enabled": business_hours, **overrides}
    if as_of is not None:
        changes["time.as_of"] = as_of
    return Warehouse(folder, load_settings().with_overrides(changes))


def per_ticket(wh: Warehouse, period: str = "2026-06", scope: Scope | None = None) -> pd.DataFrame:
    """The shared per-ticket SLA decisions (queries/shared/ticket_sla.sql), indexed by ticket_id."""
    frame = wh.query("shared/ticket_sla", wh.period_params(Period.parse(period)), scope or Scope())
    return frame.set_index("ticket_id")


def page_table(wh: Warehouse, name: str, period: str = "2026-06", scope: Scope | None = None,
               **params) -> pd.DataFrame:
    """A page query as the SLA page runs it (period parameters, the viewer's scope, extra parameters)."""
    return wh.query(f"pages/{name}", wh.period_params(Period.parse(period)) | params, scope or Scope())


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
