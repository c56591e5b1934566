-- grain: one row per cut (branch, class, manager, county) × value among the viewer's branches: the
-- snapshot retention figures of queries/shared/retention_cuts.sql, with the names a person reads; a
-- manager's own county (managers.county) for the county step of the drill.
with
final as (
    select c.*, b.branch_name, m.manager_name, m.county as manager_county
    from {{ ref('retention_cuts') }} c
    left join branches b on b.branch_id = c.branch_id
    left join managers m on c.dimension = 'manager' and m.manager_id = c."key"
)
select * from final
order by dimension, revenue_retention_rank nulls last, "key"
