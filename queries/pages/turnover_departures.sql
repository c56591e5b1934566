-- grain: one row per manager of the viewer's branches who left on or before the end of the period ×
-- group they served at the last month end before leaving: where it went and when; newest first.
with
final as (
    select
        d.manager_id, d.manager_name, d.branch_id, d.star_level, d.employment, d.leave_date,
        d.group_id, g.group_name, d."class", d.outcome,
        d.next_manager_id, n.manager_name as next_manager_name, d.reassigned_month, d.months_to_reassign
    from {{ ref('manager_departures') }} d
    left join groups g on g.group_id = d.group_id
    left join managers n on n.manager_id = d.next_manager_id
    where d.branch_id = any($branches)
)
select * from final
order by leave_date desc, manager_id, group_id
