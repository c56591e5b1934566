"""Times no export can hold: a visit, order or complaint dated long after the newest bill, or before 2000;
a bill for a month before 2000 or far after every other bill month.

The as-of time is the latest time in visits, orders and complaints (queries/meta/as_of.sql), and the
default period and every "as of" figure follow it: one visit typed as 2099 would move them all. Such
a row is set aside as `implausible_date` instead. The window is judged at every refresh, against the
newest bill month among the loaded bills (billing is settled before these datasets), so a visit set
aside last month stands once the bills have caught up with it, without its file being parsed again.
With no bill loaded there is nothing to judge "later" by, and only the lower bound applies.
"""
from __future__ import annotations

import datetime as dt

from kam.storage.schema import Dataset
from kam.storage.warehouse_file import q

EARLIEST = dt.date(2000, 1, 1)
DEFAULT_FUTURE_DAYS = 92  # settings.toml quality.future_days; a refresh is told the setting's value
# Half a year with no bill at all splits the bill months (a year typed wrong: 2027-06 for 2026-06).
BILL_GAP_DAYS = 184
# The event times of each dataset the as-of time is taken from, in the contract's column order.
EVENT_TIMES = {
    "visits": ("visit_date",),
    "orders": ("visited_at", "handled_at", "contracted_at", "built_at", "activated_at"),
    "complaints": ("created_at", "first_response_at", "resolved_at", "followup_at"),
}


def latest_plausible(con, future_days: int) -> dt.datetime | None:
    """The first moment too late for an event: the end of the newest loaded bill month + future_days."""
    newest = con.execute("select max(bill_month) from billing").fetchall()[0][0]
    if newest is None:
        return None
    month_after = dt.date(newest.year + newest.month // 12, newest.month % 12 + 1, 1)
    return dt.datetime.combine(month_after + dt.timedelta(days=future_days), dt.time())


def first_implausible_month(rows_by_month: dict[dt.date, int]) -> dt.date | None:
    """The first bill month after the bulk of the bills, else None.

    Bills are monthly: a real gap is a missing month or two. The months split where one comes more
    than BILL_GAP_DAYS after the one before; the run holding the most bill rows is the data, and a run
    after it (a month typed as 2099-06 after months up to 2026-06) is not. A run before it is older
    history and stays: a stray old bill must not set aside every newer one.
    """
    months = sorted(m for m in rows_by_month if m >= EARLIEST)
    runs: list[list[dt.date]] = []
    for month in months:
        if runs and (month - runs[-1][-1]).days <= BILL_GAP_DAYS:
            runs[-1].append(month)
        else:
            runs.append([month])
    if len(runs) < 2:
        return None
    bulk = max(range(len(runs)), key=lambda i: (sum(rows_by_month[m] for m in runs[i]), -i))
    return runs[bulk + 1][0] if bulk + 1 < len(runs) else None


def add_implausible_dates(con, ds: Dataset, future_days: int) -> None:
    """Add the rows of `ds` with an implausible time to reference_failures (the rows settle_rows sets
    aside after their own rules: they then take no part in superseding, as an unknown reference does)."""
    if ds.name == "billing":
        _implausible_bill_months(con)
        return
    columns = EVENT_TIMES.get(ds.name)
    if not columns:
        return
    params = {"earliest": dt.datetime.combine(EARLIEST, dt.time()), "latest": latest_plausible(con, future_days)}
    bad = " or ".join(f"(cast(p.{q(c)} as timestamp) < $earliest or cast(p.{q(c)} as timestamp) >= $latest)"
                      for c in columns)
    whens = " ".join(
        f"when cast(p.{q(c)} as timestamp) < $earliest or cast(p.{q(c)} as timestamp) >= $latest "
        f"then {{'column': '{c}', 'reason': 'implausible_date', 'value': cast(p.{q(c)} as varchar)}}"
        for c in columns)
    # a NULL $latest (no bill loaded) makes every ">= $latest" unknown: only the lower bound applies
    con.execute(f"""
        insert into reference_failures
        select p._file, p._line, case {whens} end
        from parsed_{ds.name} p
        where p._failure is null and ({bad})
          and not exists (select 1 from reference_failures f where f._file = p._file and f._line = p._line)""",
                params)


def _implausible_bill_months(con) -> None:
    """Bills for a month before 2000, or for a month far after every other bill (see
    first_implausible_month): the calendar, the default period and every monthly figure run to the
    newest bill month, so one such row would move them all."""
    rows_by_month = dict(con.execute("""
        select p.bill_month, count(*) from parsed_billing p
        where p._failure is null
          and not exists (select 1 from reference_failures f where f._file = p._file and f._line = p._line)
        group by p.bill_month""").fetchall())
    cutoff = first_implausible_month(rows_by_month)
    con.execute("""
        insert into reference_failures
        select p._file, p._line,
               {'column': 'bill_month', 'reason': 'implausible_date', 'value': strftime(p.bill_month, '%Y-%m')}
        from parsed_billing p
        where p._failure is null and (p.bill_month < $earliest or p.bill_month >= $cutoff)
          and not exists (select 1 from reference_failures f where f._file = p._file and f._line = p._line)""",
                {"earliest": EARLIEST, "cutoff": cutoff})
