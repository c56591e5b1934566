-- grain: one row per group of branch $branch (in the viewer's branches) active at the end of the
-- chosen period (its last month with data) or closed during it: class recorded and suggested, the
-- manager, members, revenue of the period and against the previous period, visit compliance, and
-- the revenue-drop alert's figures (shared/revenue_drop.sql: monthly revenue against the three months
-- before; revenue_dropped when it fell by more than $revenue_drop).
with
span as (
    select max(month_start) as last_month
    from group_fee_months
    where month_start between $period_start and $period_end
),
listed as (
    select gm.group_id, gm.branch_id, gm."class", gm.manager_id, gm.active_members, gm.is_active,
           gm.star_fits, gm.month_start
    from group_months gm
    join span s on gm.month_start = s.last_month
    join groups g on g.group_id = gm.group_id
    where (gm.is_active or g.close_date between $period_start and $period_end)
      and gm.branch_id = $branch
      and gm.branch_id = any($branches)
),
revenue as (
    select
        gm.group_id,
        sum(gm.revenue) filter (where gm.month_start between $period_start and $period_end) as revenue,
        sum(gm.revenue) filter (where gm.month_start between $prev_start and $prev_end) as revenue_previous
    from group_months gm
    join listed l on l.group_id = gm.group_id
    where gm.month_start between $prev_start and $period_end
    group by gm.group_id
),
final as (
    select
        l.group_id, g.group_name, l."class", sc.suggested_class, l.manager_id, m.manager_name, g.county,
        l.is_active, g.close_date,
        cast(l.active_members as bigint) as members,
        cast(coalesce(r.revenue, 0) as decimal(18, 2)) as revenue,
        cast(r.revenue_previous as decimal(18, 2)) as revenue_previous,
        v.compliant as visit_compliant,
        l.star_fits,
        d.drop_share,
        coalesce(d.dropped, false) as revenue_dropped,
        '/group_profile?group=' || l.group_id as profile
    from listed l
    join groups g on g.group_id = l.group_id
    left join managers m on m.manager_id = l.manager_id
    left join revenue r on r.group_id = l.group_id
    left join {{ ref('suggested_class') }} sc on sc.group_id = l.group_id and sc.month_start = l.month_start
    left join {{ ref('visit_compliance') }} v on v.group_id = l.group_id
    left join {{ ref('revenue_drop') }} d on d.group_id = l.group_id
)
select * from final
order by revenue desc, group_id
