-- grain: one row per month with billing from the snapshot month to the end of the chosen period: the
-- revenue of the snapshot groups (存量, existing) and of the groups opened after the snapshot month
-- (增量, new), among the viewer's branches and manager scope (metrics.md: Snapshot retention).
with
snapshot_end as (
    select cast($snapshot_month + interval 1 month - interval 1 day as date) as snapshot_end
),
base as (
    select group_id from group_months
    where month_start = $snapshot_month and is_active
      and branch_id = any($branches)
      and ($manager_scope is null or manager_id = $manager_scope)
),
opened as (
    select g.group_id from groups g cross join snapshot_end e where g.open_date > e.snapshot_end
),
months as (
    select distinct month_start from group_fee_months
    where month_start between $snapshot_month and $period_end
),
final as (
    select
        gm.month_start,
        cast(coalesce(sum(gm.revenue) filter (where b.group_id is not null), 0) as decimal(18, 2)) as existing_revenue,
        cast(coalesce(sum(gm.revenue) filter (where o.group_id is not null and b.group_id is null), 0)
             as decimal(18, 2)) as new_revenue
    from group_months gm
    join months m on m.month_start = gm.month_start
    left join base b on b.group_id = gm.group_id
    left join opened o on o.group_id = gm.group_id
    -- a snapshot group counts wherever it went (it is the viewer's by its snapshot branch and manager);
    -- a new group by its branch and manager in the month
    where b.group_id is not null
       or (o.group_id is not null and gm.branch_id = any($branches)
           and ($manager_scope is null or gm.manager_id = $manager_scope))
    group by gm.month_start
)
select * from final
order by month_start
