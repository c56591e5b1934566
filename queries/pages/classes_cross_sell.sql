-- grain: one row per group of recorded class $gap_class active at the end of the chosen period in the
-- viewer's branches (shared/period_groups.sql) WITHOUT revenue > 0 in fee item $gap_product over the
-- period: a cross-sell gap (metrics.md: Product penetration), with the group's revenue in the period.
with
active as (
    select * from {{ ref('period_groups') }}
    where "class" = $gap_class
      and branch_id = any($branches)
),
holders as (
    select f.group_id
    from group_fee_months f
    join active a on a.group_id = f.group_id
    where f.month_start between $period_start and $period_end
      and f.fee_item = $gap_product
    group by f.group_id
    having sum(f.revenue) > 0
),
final as (
    select
        a.group_id, g.group_name, a.branch_id, a."class", a.manager_id, m.manager_name, a.revenue,
        '/group_profile?group=' || a.group_id as profile
    from active a
    join groups g on g.group_id = a.group_id
    left join managers m on m.manager_id = a.manager_id
    where a.group_id not in (select group_id from holders)
)
select * from final
order by revenue desc, group_id
