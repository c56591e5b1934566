-- grain: one row per member record (subscriber × join date) of the group $group_id (when the viewer
-- may see it: branch_id = any($branches)): tier, dates and whether the member is active at the end
-- of the chosen period, left during it, or left before it / joined after it.
with
grp as (
    select * from {{ ref('profile_group') }}
    where branch_id = any($branches)
),
final as (
    select
        m.subscriber_id, m.vip_tier, m.join_date, m.leave_date,
        case when m.join_date > $period_end then 'not_yet'
             when m.leave_date is null or m.leave_date > $period_end then 'active'
             when m.leave_date >= $period_start then 'left_in_period'
             else 'left_before' end as member_status
    from members m
    join grp on grp.group_id = m.group_id
)
select * from final
order by case member_status when 'left_in_period' then 1 when 'active' then 2 when 'not_yet' then 3 else 4 end,
         join_date, subscriber_id
