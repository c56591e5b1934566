-- grain: one row per month with billing data for the group $group_id (when the viewer may see it:
-- branch_id = any($branches)): revenue, members active at month end, members who left in the month
-- and their churn rate (÷ members active at the end of the month before), the manager that month,
-- and the suggested class when the group was active.
with
grp as (
    select * from {{ ref('profile_group') }}
    where branch_id = any($branches)
),
data_months as (
    select distinct month_start from group_fee_months
),
final as (
    select
        gm.month_start,
        cast(gm.revenue as decimal(18, 2)) as revenue,
        cast(gm.active_members as bigint) as members,
        cast(gm.members_left as bigint) as members_left,
        cast(gm.members_left as double) / nullif(prev.active_members, 0) as member_churn_rate,
        gm.is_active,
        gm.manager_id,
        m.manager_name,
        sc.suggested_class
    from group_months gm
    join grp on grp.group_id = gm.group_id
    join data_months d on d.month_start = gm.month_start
    join calendar_months c on c.month_start = gm.month_start
    left join group_months prev on prev.group_id = gm.group_id and prev.month_start = c.prev_month
    left join managers m on m.manager_id = gm.manager_id
    left join {{ ref('suggested_class') }} sc on sc.group_id = gm.group_id and sc.month_start = gm.month_start
)
select * from final
order by month_start
