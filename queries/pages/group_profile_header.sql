-- grain: zero or one row: the group $group_id as it stands at the end of the chosen period (its last
-- month with data), when the viewer may see it (branch_id = any($branches), see
-- shared/profile_group.sql): who it is, its recorded and suggested class, its manager, members
-- and the period's revenue.
with
grp as (
    select * from {{ ref('profile_group') }}
    where branch_id = any($branches)
),
span as (
    select max(month_start) as last_month
    from group_fee_months
    where month_start between $period_start and $period_end
),
period_revenue as (
    select sum(gm.revenue) as revenue
    from group_months gm
    join grp on grp.group_id = gm.group_id
    where gm.month_start between $period_start and $period_end
),
final as (
    select
        grp.group_id, grp.group_name, grp.branch_id, b.branch_name, grp.industry, grp.sector, grp."class",
        sc.suggested_class, sc.avg_revenue_3m,
        gm.manager_id, m.manager_name, m.star_level, gm.star_needed, gm.star_fits,
        grp.open_date, grp.close_date, gm.is_active,
        cast(gm.active_members as bigint) as members,
        cast(r.revenue as decimal(18, 2)) as revenue
    from grp
    cross join span s
    cross join period_revenue r
    join branches b on b.branch_id = grp.branch_id
    left join group_months gm on gm.group_id = grp.group_id and gm.month_start = s.last_month
    left join managers m on m.manager_id = gm.manager_id
    left join {{ ref('suggested_class') }} sc on sc.group_id = grp.group_id and sc.month_start = s.last_month
)
select * from final
