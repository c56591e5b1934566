-- grain: one row per group active at the end of the chosen period — the end of its last month with
-- billing data — in the viewer's branches ($branches): its state then (recorded class, manager and
-- stars, members at month end) and its revenue over the whole period (metrics.md: Active group,
-- Revenue, Star fit). Every list of "the period's groups" starts from here.
with
span as (
    select max(month_start) as last_month
    from group_fee_months
    where month_start between $period_start and $period_end
),
active as (
    select
        gm.group_id, gm.branch_id, gm."class", gm.manager_id, gm.manager_star, gm.star_needed, gm.star_fits,
        gm.active_members, gm.month_start, gm.month_end
    from group_months gm
    join span s on gm.month_start = s.last_month
    where gm.is_active
      and gm.branch_id = any($branches)
),
revenue as (
    select gm.group_id, sum(gm.revenue) as revenue
    from group_months gm
    join active a on a.group_id = gm.group_id
    where gm.month_start between $period_start and $period_end
    group by gm.group_id
),
final as (
    select a.*, cast(coalesce(r.revenue, 0) as decimal(18, 2)) as revenue
    from active a
    left join revenue r on r.group_id = a.group_id
)
select * from final
