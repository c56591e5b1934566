-- grain: one row: the viewer's branches taken together ("the province") for the chosen period, with
-- the same KPIs as `kam report branches` (definitions: queries/shared/period_kpis.sql): counts and
-- money are totals, rates the ratio of the branches' sums (not the mean of their rates). The
-- *_per_branch columns are the totals ÷ the branches with groups, the average a branch is set
-- against in the charts of additive KPIs.
with
kpis as (
    select * from {{ ref('period_kpis') }}
    where branch_id = any($branches) or branch_id is null  -- NULL: the total over the viewer's branches
),
totals as (
    select * from kpis where branch_id is null
),
branch_count as (
    select count(*) as branches from kpis where period = 'current' and branch_id is not null
),
final as (
    select
        n.branches,
        cur."groups", cur.groups_a, cur.groups_b, cur.groups_c, cur.members, cur.revenue,
        case when prev.revenue > 0 then cast(cur.revenue as double) / cast(prev.revenue as double) - 1 end
            as revenue_mom,
        cur.arpu, cur.member_churn_rate, cur.visit_compliance, cur.sla_resolve_compliance, cur.star_fit_rate,
        cur.unassigned_groups, cur.churned_groups, cur.members_left, cur.tickets,
        cast(cur."groups" as double) / nullif(n.branches, 0) as groups_per_branch,
        cast(cur.members as double) / nullif(n.branches, 0) as members_per_branch,
        round(cast(cur.revenue as double) / nullif(n.branches, 0), 2) as revenue_per_branch
    from totals cur
    cross join branch_count n
    left join totals prev on prev.period = 'previous'
    where cur.period = 'current'
)
select * from final
