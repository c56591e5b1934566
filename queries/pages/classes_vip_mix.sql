-- grain: one row per recorded class × VIP tier among the viewer's branches: members active at the end
-- of the chosen period in the groups active then (shared/period_groups.sql; metrics.md: Active
-- member). A member without a tier is counted as 'none' (普通).
with
active as (
    select group_id, "class", month_end from {{ ref('period_groups') }}
    where branch_id = any($branches)
),
counted as (
    select
        a."class",
        coalesce(m.vip_tier, 'none') as vip_tier,
        count(*) as members
    from members m
    join active a on a.group_id = m.group_id
    where m.join_date <= a.month_end
      and (m.leave_date is null or m.leave_date > a.month_end)
    group by a."class", coalesce(m.vip_tier, 'none')
),
final as (
    select
        "class", vip_tier, members,
        cast(members as double) / sum(members) over (partition by "class") as share_in_class,
        case vip_tier when 'diamond' then 1 when 'gold' then 2 when 'silver' then 3 when 'vip' then 4 else 5 end
            as tier_order
    from counted
)
select "class", vip_tier, members, share_in_class from final
order by "class", tier_order
