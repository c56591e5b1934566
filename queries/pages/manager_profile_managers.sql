-- grain: one row per manager of the viewer's branches: who they are, for the profile's picker and
-- header (employed or not at the as-of time).
with
final as (
    select
        manager_id, manager_name, branch_id, star_level, employment, hire_date, leave_date,
        leave_date is null or leave_date > cast($as_of as date) as is_employed
    from managers
    where branch_id = any($branches)
      and ($manager_scope is null or manager_id = $manager_scope)
)
select * from final
order by manager_id
