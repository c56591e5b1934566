"""The M and L scales: clean UTF-8 CSV at any size; numpy builds the province, DuckDB writes every file."""
from __future__ import annotations

import pathlib

import numpy as np

from kam.tooling.sample.channels import complaints, orders, visits
from kam.tooling.sample.province import BRANCHES, CLASSES, FEE_ITEMS, INDUSTRIES, VIP_TIERS
from kam.tooling.sample.scales import NEVER, Progress
from kam.tooling.sample.text_forms import group_ids, manager_ids
from kam.tooling.sample.world import World, assignments, build_world


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
