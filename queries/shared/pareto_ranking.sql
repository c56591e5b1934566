-- grain: one row per group active at the end of the chosen period in the viewer's branches
-- (shared/period_groups.sql): its revenue over the period, its place in the ranking by revenue
-- (highest first, ties broken by group_id) and the cumulative shares of the Pareto curve
-- (metrics.md: Pareto share).
--   in_top20: among the first ceil(n ÷ 5) groups (5 × (place − 1) < n, whole numbers only);
--   reaches_80: the cumulative revenue has reached 80 % of the total (decimal arithmetic, exact).
with
ranked as (
    select
        g.group_id, g.branch_id, g."class", g.revenue,
        row_number() over (order by g.revenue desc, g.group_id) as rank_in_selection,
        count(*) over () as selection_groups,
        sum(g.revenue) over () as selection_revenue,
        sum(g.revenue) over (order by g.revenue desc, g.group_id
                             rows between unbounded preceding and current row) as cumulative_revenue
    from {{ ref('period_groups') }} g
),
final as (
    select
        group_id, branch_id, "class", revenue, rank_in_selection, selection_groups,
        cast(cumulative_revenue as decimal(18, 2)) as cumulative_revenue,
        5 * (rank_in_selection - 1) < selection_groups as in_top20,
        cast(rank_in_selection as double) / selection_groups as group_share,
        case when selection_revenue > 0
             then cast(cumulative_revenue as double) / cast(selection_revenue as double) end as cumulative_share,
        selection_revenue > 0 and 5 * cumulative_revenue >= 4 * selection_revenue as reaches_80
    from ranked
)
select * from final
