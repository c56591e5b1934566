-- grain: one row per target of the chosen period (targets.period = $period_label: a month's targets
-- for a month, a quarter's for a quarter) for a branch among the viewer's branches ($branches), and
-- for the province (branch_id NULL) only when the viewer sees every branch: a branch never borrows
-- the province's target, nor a part of the province the whole one's (metrics.md: Targets, Time progress).
--   actual       the KPI over the chosen period as every page computes it (shared/period_kpis; a
--                quarter not over yet: its months so far); orders_activated = orders of the branch's
--                groups activated in the period by the as-of time (shared/order_stages)
--   attainment   money and counts: actual ÷ target (empty for a target of 0); rates: actual − target,
--                a difference of fractions (percentage points)
--   on_target    actual ≥ target; member churn (lower is better): actual ≤ target
--   time_progress  序时进度: days of the period elapsed at the as-of date (that day counted) ÷ days in
--                the period, between 0 and 1
--   ahead_of_time  for the flows (revenue, orders_activated), which build up over the period:
--                attainment ≥ time_progress; empty for the other KPIs, judged by on_target alone
with
kpis as (
    select 1 as ord, 'revenue' as kpi, 'money' as kind, true as is_flow
    union all select 2, 'orders_activated', 'count', true
    union all select 3, 'members', 'count', false
    union all select 4, 'arpu', 'money', false
    union all select 5, 'member_churn_rate', 'rate', false
    union all select 6, 'visit_compliance', 'rate', false
    union all select 7, 'sla_resolve_compliance', 'rate', false
    union all select 8, 'star_fit_rate', 'rate', false
),
sees_all as (
    select count(*) = 0 as every_branch from branches where not (branch_id = any($branches))
),
period_targets as (
    select t.branch_id, t.kpi, cast(t.target as double) as target
    from targets t
    cross join sees_all s
    where t.period = $period_label
      and (t.branch_id = any($branches) or (t.branch_id is null and s.every_branch))
),
branch_kpis as (
    select * from {{ ref('period_kpis') }}
    where period = 'current'
),
activated as (
    select branch_id, count(*) as orders_activated
    from {{ ref('order_stages') }}
    where branch_id = any($branches)
      and cast(activated_at as date) between $period_start and $period_end
    group by grouping sets ((branch_id), ())
),
actuals as (
    select branch_id, 'revenue' as kpi, cast(revenue as double) as actual from branch_kpis
    union all select branch_id, 'members', cast(members as double) from branch_kpis
    union all select branch_id, 'arpu', cast(arpu as double) from branch_kpis
    union all select branch_id, 'member_churn_rate', member_churn_rate from branch_kpis
    union all select branch_id, 'visit_compliance', visit_compliance from branch_kpis
    union all select branch_id, 'sla_resolve_compliance', sla_resolve_compliance from branch_kpis
    union all select branch_id, 'star_fit_rate', star_fit_rate from branch_kpis
    union all select branch_id, 'orders_activated', cast(orders_activated as double) from activated
),
progress as (
    select cast(least(greatest(date_diff('day', cast($period_start as date), cast($as_of as date)) + 1, 0),
                      date_diff('day', cast($period_start as date), cast($period_end as date)) + 1) as double)
           / (date_diff('day', cast($period_start as date), cast($period_end as date)) + 1) as time_progress
),
judged as (
    select
        t.branch_id, k.ord, t.kpi, k.kind, k.is_flow, t.target, a.actual, p.time_progress,
        case when k.kind = 'rate' then a.actual - t.target
             when t.target <> 0 then a.actual / t.target end as attainment,
        case when t.kpi = 'member_churn_rate' then a.actual <= t.target else a.actual >= t.target end as on_target
    from period_targets t
    join kpis k on k.kpi = t.kpi
    cross join progress p
    left join actuals a on coalesce(a.branch_id, '') = coalesce(t.branch_id, '') and a.kpi = t.kpi
),
final as (
    select
        j.branch_id,
        b.branch_name,
        cast($period_label as varchar) as period,
        j.kpi,
        j.kind,
        j.ord,
        j.target,
        j.actual,
        j.attainment,
        j.on_target,
        j.time_progress,
        case when j.is_flow then j.attainment >= j.time_progress end as ahead_of_time
    from judged j
    left join branches b on b.branch_id = j.branch_id
)
select * from final
