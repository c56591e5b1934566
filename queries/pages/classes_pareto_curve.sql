-- grain: one row per group active at the end of the chosen period in the viewer's branches, in
-- ranking order: the points of the Pareto curve (share of groups → cumulative share of revenue)
-- and whether the group is in the top 20 % (queries/shared/pareto_ranking.sql).
with
final as (
    select
        p.rank_in_selection, p.group_id, g.group_name, p.branch_id, p."class", p.revenue,
        p.cumulative_revenue, p.group_share, p.cumulative_share, p.in_top20,
        '/group_profile?group=' || p.group_id as profile
    from {{ ref('pareto_ranking') }} p
    join groups g on g.group_id = p.group_id
    where p.branch_id = any($branches)
)
select * from final
order by rank_in_selection
