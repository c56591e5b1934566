-- grain: one row per manager who left on or before $period_end × active group they served at the
-- last month end before leaving (one row with an empty group when they served none): where the
-- group went — the first manager other than the leaver to serve it at a month end from the month
-- of leaving up to the period (group_months.manager_id; metrics.md: A group's manager in a month).
with
departed as (
    select
        m.manager_id, m.manager_name, m.branch_id, m.star_level, m.employment, m.leave_date,
        cast(date_trunc('month', m.leave_date) as date) as leave_month,
        cast(date_trunc('month', m.leave_date) - interval 1 month as date) as last_served_month
    from managers m
    where m.leave_date is not null
      and m.leave_date <= $period_end
),
handed as (
    select d.*, gm.group_id, gm."class", gm.branch_id as group_branch_id
    from departed d
    left join group_months gm
      on gm.manager_id = d.manager_id
     and gm.month_start = d.last_served_month
     and gm.is_active
),
next_manager as (
    select h.manager_id, h.group_id, gm.month_start as reassigned_month, gm.manager_id as next_manager_id
    from handed h
    join group_months gm
      on gm.group_id = h.group_id
     and gm.month_start between h.leave_month and $period_last_month
    where gm.manager_id is null or gm.manager_id <> h.manager_id
    qualify row_number() over (partition by h.manager_id, h.group_id order by gm.month_start) = 1
),
now_active as (
    select group_id, is_active from group_months where month_start = $period_last_month
),
final as (
    select
        ----------  the leaver
        h.manager_id, h.manager_name, h.branch_id, h.star_level, h.employment, h.leave_date,
        ----------  the group and where it went
        h.group_id, h."class", h.group_branch_id,
        n.next_manager_id, n.reassigned_month,
        date_diff('month', h.leave_month, n.reassigned_month) as months_to_reassign,
        case when h.group_id is null then null
             when n.next_manager_id is not null then 'reassigned'
             when n.reassigned_month is not null then 'unassigned'
             when not coalesce(a.is_active, false) then 'closed'
             else 'not_reassigned' end as outcome
    from handed h
    left join next_manager n on n.manager_id = h.manager_id and n.group_id = h.group_id
    left join now_active a on a.group_id = h.group_id
)
select * from final
