-- grain: one row per account manager employed at the as-of time (hired by then, leave_date empty or
-- later) in a branch of the viewer's scope: the managers a rebalancing proposal may give groups to.
with
final as (
    select manager_id, manager_name, branch_id, star_level, employment
    from managers
    where branch_id = any($branches)
      and (hire_date is null or hire_date <= $as_of)
      and (leave_date is null or leave_date > $as_of)
)
select * from final
order by branch_id, manager_id
