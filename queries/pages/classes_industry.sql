-- grain: one row per industry (as exported; empty = not given) × recorded class among the viewer's
-- branches: groups active at the end of the chosen period and their revenue in the period
-- (shared/period_groups.sql), with the row's share of the selection's revenue.
with
figures as (
    select
        g.industry,
        a."class",
        count(*) as "groups",
        cast(sum(a.revenue) as decimal(18, 2)) as revenue
    from {{ ref('period_groups') }} a
    join groups g on g.group_id = a.group_id
    where a.branch_id = any($branches)
    group by g.industry, a."class"
),
final as (
    select
        f.*,
        cast(f.revenue as double) / nullif(sum(cast(f.revenue as double)) over (), 0) as revenue_share,
        sum(f.revenue) over (partition by f.industry) as industry_revenue
    from figures f
)
select industry, "class", "groups", revenue, revenue_share from final
order by industry_revenue desc, industry, "class"
