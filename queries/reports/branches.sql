-- grain: one row per branch the viewer may see that has groups: every customer-base KPI of the chosen
-- period (definitions: queries/shared/period_kpis.sql, metrics.md) and the branch's rank on each
-- among the branches shown (1 = best; rank(), so tied branches share a rank; empty where the KPI
-- is empty). Lower is better for member_churn_rate, higher for every other ranked KPI.
--   revenue_mom: revenue ÷ the previous period's − 1, empty where that period misses a month.
with
kpis as (
    select * from {{ ref('period_kpis') }}
    where branch_id = any($branches)
),
current_kpis as (
    select * from kpis where period = 'current'
),
previous_kpis as (
    select branch_id, revenue from kpis where period = 'previous'
),
figures as (
    select
        c.branch_id,
        b.branch_name,
        c."groups",
        c.groups_a,
        c.groups_b,
        c.groups_c,
        c.members,
        c.revenue,
        case when p.revenue > 0 then cast(c.revenue as double) / cast(p.revenue as double) - 1 end as revenue_mom,
        c.arpu,
        c.member_churn_rate,
        c.visit_compliance,
        c.sla_resolve_compliance,
        c.star_fit_rate,
        c.unassigned_groups,
        c.churned_groups,
        c.members_left,
        c.tickets
    from current_kpis c
    join branches b on b.branch_id = c.branch_id
    left join previous_kpis p on p.branch_id = c.branch_id
),
final as (
    select
        f.*,
        rank() over (order by "groups" desc) as groups_rank,
        rank() over (order by members desc) as members_rank,
        case when revenue is not null then rank() over (order by revenue desc nulls last) end as revenue_rank,
        case when revenue_mom is not null then rank() over (order by revenue_mom desc nulls last) end
            as revenue_mom_rank,
        case when arpu is not null then rank() over (order by arpu desc nulls last) end as arpu_rank,
        case when member_churn_rate is not null then rank() over (order by member_churn_rate asc nulls last) end
            as member_churn_rate_rank,
        case when visit_compliance is not null then rank() over (order by visit_compliance desc nulls last) end
            as visit_compliance_rank,
        case when sla_resolve_compliance is not null
             then rank() over (order by sla_resolve_compliance desc nulls last) end as sla_resolve_compliance_rank,
        case when star_fit_rate is not null then rank() over (order by star_fit_rate desc nulls last) end
            as star_fit_rate_rank
    from figures f
)
select * from final
order by branch_id
