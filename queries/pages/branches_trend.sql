-- grain: one row per branch the viewer may see × month with billing data: the monthly KPIs of
-- `kam report branches` for the small-multiple trends (definitions: queries/shared/period_kpis.sql;
-- visit compliance is bound to the chosen period and so has no monthly trend here).
with
final as (
    select
        k.branch_id, b.branch_name, k.period_start as month_start,
        k."groups", k.members, k.revenue, k.arpu, k.member_churn_rate, k.sla_resolve_compliance,
        k.star_fit_rate
    from {{ ref('period_kpis') }} k
    join branches b on b.branch_id = k.branch_id
    where k.period = 'month'
      and k.branch_id = any($branches)
)
select * from final
order by branch_id, month_start
