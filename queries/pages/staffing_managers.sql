-- grain: one row per account manager employed at the as-of time (hired by then, leave_date empty or
-- later) in a branch of the viewer's scope, with the branch's name: the managers a rebalancing proposal
-- may give groups to.
with
final as (
    select m.manager_id, m.manager_name, m.branch_id, b.branch_name, m.star_level, m.employment
    from managers m
    left join branches b on b.branch_id = m.branch_id
    where m.branch_id = any($branches)
      and (m.hire_date is null or m.hire_date <= $as_of)
      and (m.leave_date is null or m.leave_date > $as_of)
)
select * from final
order by branch_id, manager_id
