-- grain: one row per sector (government / enterprise; empty = not given) × recorded class among the
-- viewer's branches: groups active at the end of the chosen period and their revenue in the period
-- (shared/period_groups.sql).
with
final as (
    select
        g.sector,
        a."class",
        count(*) as "groups",
        cast(sum(a.revenue) as decimal(18, 2)) as revenue
    from {{ ref('period_groups') }} a
    join groups g on g.group_id = a.group_id
    where a.branch_id = any($branches)
    group by g.sector, a."class"
)
select * from final
order by sector, "class"
