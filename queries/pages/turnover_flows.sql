-- grain: one row per manager of the viewer's branches who left on or before the end of the period ×
-- where their groups went (the next manager, or an outcome: unassigned, closed, not reassigned):
-- the number of groups.
with
final as (
    select
        d.manager_id, d.manager_name, d.leave_date, d.outcome,
        d.next_manager_id, n.manager_name as next_manager_name,
        count(*) as "groups"
    from {{ ref('manager_departures') }} d
    left join managers n on n.manager_id = d.next_manager_id
    where d.branch_id = any($branches)
      and d.group_id is not null
    group by all
)
select * from final
order by leave_date desc, manager_id, "groups" desc
