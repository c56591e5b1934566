-- grain: one row per cut (dimension: branch, class, manager, county) × its value (key) holding
-- snapshot groups or new groups, among the viewer's branches, and one row (dimension total, key NULL)
-- for all of them together (metrics.md: Snapshot retention):
--   group_retention    snapshot groups still active at the end of the judged month ÷ snapshot groups
--   member_retention   snapshot members still active then ÷ snapshot members
--   revenue_retention  the snapshot groups' revenue in the judged month ÷ their revenue in the snapshot month
--   *_mom              the rate now − the rate at the end of the month before (empty when that month
--                      is before the snapshot or has no billing): percentage points
--   *_rank             1 = the highest rate among the cut's rows; tied rows share a rank
--   existing_revenue   存量: the snapshot groups' revenue over the chosen period
--   new_revenue        增量: revenue over the period of groups opened after the snapshot month
-- A snapshot group is cut by what it was at the snapshot (class, manager in that month, county); a
-- new group by its state in the judged month. A key is NULL for a group without one (no manager,
-- no county).
with
base as (
    select * from {{ ref('snapshot_groups') }}
),
snapshot_end as (
    select cast($snapshot_month + interval 1 month - interval 1 day as date) as snapshot_end
),
span as (
    select max(month_start) as last_month from group_fee_months
    where month_start between $period_start and $period_end
),
new_groups as (
    select gm.group_id, gm.branch_id, gm."class", gm.manager_id, g.county,
           sum(p.revenue) as new_revenue
    from group_months gm
    join span s on gm.month_start = s.last_month
    join groups g on g.group_id = gm.group_id
    cross join snapshot_end e
    join group_months p on p.group_id = gm.group_id and p.month_start between $period_start and $period_end
    where g.open_date > e.snapshot_end
      and gm.branch_id = any($branches)
      and ($manager_scope is null or gm.manager_id = $manager_scope)
    group by gm.group_id, gm.branch_id, gm."class", gm.manager_id, g.county
),
rows_of as (
    select group_id, branch_id, "class", manager_id, county, 1 as in_base,
           case when active_now then 1 else 0 end as retained, case when active_prev then 1 else 0 end as retained_prev,
           case when active_prev is not null then 1 else 0 end as has_prev,
           snapshot_revenue, revenue_now, revenue_prev, snapshot_members, members_now, members_prev,
           period_revenue as existing_revenue, cast(0 as decimal(18, 2)) as new_revenue
    from base
    union all
    select group_id, branch_id, "class", manager_id, county, 0, 0, 0, 0,
           null, null, null, null, null, null, cast(0 as decimal(18, 2)), new_revenue
    from new_groups
),
keyed as (
    select 'branch' as dimension, branch_id as "key", r.* from rows_of r
    union all select 'class', "class", r.* from rows_of r
    union all select 'manager', manager_id, r.* from rows_of r
    union all select 'county', county, r.* from rows_of r
    union all select 'total', cast(null as varchar), r.* from rows_of r
),
sums as (
    select
        dimension, "key",
        max(branch_id) as branch_id,
        cast(sum(in_base) as bigint) as snapshot_groups,
        cast(sum(retained) as bigint) as retained_groups,
        cast(sum(retained_prev) as bigint) as retained_groups_prev,
        max(has_prev) as has_prev,
        cast(sum(snapshot_revenue) as decimal(18, 2)) as snapshot_revenue,
        cast(sum(revenue_now) as decimal(18, 2)) as revenue,
        cast(sum(revenue_prev) as decimal(18, 2)) as revenue_prev,
        cast(sum(snapshot_members) as bigint) as snapshot_members,
        cast(sum(members_now) as bigint) as retained_members,
        cast(sum(members_prev) as bigint) as retained_members_prev,
        cast(sum(existing_revenue) as decimal(18, 2)) as existing_revenue,
        cast(sum(new_revenue) as decimal(18, 2)) as new_revenue
    from keyed
    group by dimension, "key"
),
rates as (
    select
        *,
        cast(retained_groups as double) / nullif(snapshot_groups, 0) as group_retention,
        cast(retained_members as double) / nullif(snapshot_members, 0) as member_retention,
        cast(revenue as double) / nullif(cast(snapshot_revenue as double), 0) as revenue_retention,
        case when has_prev = 1 then cast(retained_groups_prev as double) / nullif(snapshot_groups, 0) end
            as group_retention_prev,
        case when has_prev = 1 then cast(retained_members_prev as double) / nullif(snapshot_members, 0) end
            as member_retention_prev,
        case when has_prev = 1 then cast(revenue_prev as double) / nullif(cast(snapshot_revenue as double), 0) end
            as revenue_retention_prev
    from sums
),
final as (
    select
        dimension, "key", branch_id,
        cast($snapshot_month as date) as snapshot_month,
        s.last_month as "month",
        snapshot_groups, retained_groups, group_retention,
        group_retention - group_retention_prev as group_retention_mom,
        case when group_retention is not null
             then rank() over (partition by dimension order by group_retention desc nulls last) end
            as group_retention_rank,
        snapshot_members, retained_members, member_retention,
        member_retention - member_retention_prev as member_retention_mom,
        case when member_retention is not null
             then rank() over (partition by dimension order by member_retention desc nulls last) end
            as member_retention_rank,
        snapshot_revenue, revenue, revenue_retention,
        revenue_retention - revenue_retention_prev as revenue_retention_mom,
        case when revenue_retention is not null
             then rank() over (partition by dimension order by revenue_retention desc nulls last) end
            as revenue_retention_rank,
        existing_revenue, new_revenue
    from rates
    cross join span s
)
select * from final
