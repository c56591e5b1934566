-- grain: one row per visit one manager ($manager_id) made in the period, newest first.
with
final as (
    select v.visit_id, v.visit_date, v.group_id, g.group_name, g."class", v.kind, v.theme
    from visits v
    join groups g on g.group_id = v.group_id
    where v.manager_id = $manager_id
      and v.visit_date between $period_start and $period_end
      and g.branch_id = any($branches)
      and ($manager_scope is null or v.manager_id = $manager_scope)
)
select * from final
order by visit_date desc, visit_id
