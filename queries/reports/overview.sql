-- grain: one row per KPI of the executive overview, for the chosen period and the viewer's branches
-- together: its value, the same KPI in the previous period and in the same period a year earlier,
-- and the change against each. Definitions: queries/shared/period_kpis.sql (metrics.md).
--   kind 'count' / 'money': change = value ÷ earlier − 1 (empty when the earlier value is not positive);
--   kind 'rate': change = value − earlier, a difference of fractions (percentage points).
--   previous / year_ago are empty where that period misses a month (no billing at all); visit
--   compliance too (each period judged on its own window: shared/visit_compliance_periods).
--   months_with_data: how many of the chosen period's months have billing.
-- Scope: period_kpis keeps only the viewer's branches (branch_id = any($branches)) before adding up.
with
totals as (
    select * from {{ ref('period_kpis') }}
    where branch_id is null
      and period in ('current', 'previous', 'year_ago')
),
long as (
    select period, 1 as ord, 'groups' as kpi, 'count' as kind, cast("groups" as double) as value from totals
    union all select period, 2, 'groups_a', 'count', cast(groups_a as double) from totals
    union all select period, 3, 'groups_b', 'count', cast(groups_b as double) from totals
    union all select period, 4, 'groups_c', 'count', cast(groups_c as double) from totals
    union all select period, 5, 'churned_groups', 'count', cast(churned_groups as double) from totals
    union all select period, 6, 'members', 'count', cast(members as double) from totals
    union all select period, 7, 'members_left', 'count', cast(members_left as double) from totals
    union all select period, 8, 'member_churn_rate', 'rate', member_churn_rate from totals
    union all select period, 9, 'revenue', 'money', cast(revenue as double) from totals
    union all select period, 10, 'arpu', 'money', arpu from totals
    union all select period, 11, 'sla_resolve_compliance', 'rate', sla_resolve_compliance from totals
    union all select period, 12, 'visit_compliance', 'rate', visit_compliance from totals
    union all select period, 13, 'star_fit_rate', 'rate', star_fit_rate from totals
    union all select period, 14, 'unassigned_groups', 'count', cast(unassigned_groups as double) from totals
),
kpis as (
    -- every KPI has a row, even when the viewer's branches have no data in the period
    select 1 as ord, 'groups' as kpi, 'count' as kind
    union all select 2, 'groups_a', 'count' union all select 3, 'groups_b', 'count'
    union all select 4, 'groups_c', 'count' union all select 5, 'churned_groups', 'count'
    union all select 6, 'members', 'count' union all select 7, 'members_left', 'count'
    union all select 8, 'member_churn_rate', 'rate' union all select 9, 'revenue', 'money'
    union all select 10, 'arpu', 'money' union all select 11, 'sla_resolve_compliance', 'rate'
    union all select 12, 'visit_compliance', 'rate' union all select 13, 'star_fit_rate', 'rate'
    union all select 14, 'unassigned_groups', 'count'
),
pivoted as (
    select
        k.ord, k.kpi, k.kind,
        max(l.value) filter (where l.period = 'current') as value,
        max(l.value) filter (where l.period = 'previous') as previous,
        max(l.value) filter (where l.period = 'year_ago') as year_ago
    from kpis k
    left join long l on l.kpi = k.kpi
    group by k.ord, k.kpi, k.kind
),
final as (
    select
        p.ord,
        p.kpi,
        p.kind,
        p.value,
        p.previous,
        p.year_ago,
        case when p.kind = 'rate' then p.value - p.previous
             when p.previous > 0 then p.value / p.previous - 1 end as mom_change,
        case when p.kind = 'rate' then p.value - p.year_ago
             when p.year_ago > 0 then p.value / p.year_ago - 1 end as yoy_change,
        coalesce(t.months_with_data, 0) as months_with_data
    from pivoted p
    left join totals t on t.period = 'current'
)
select kpi, kind, value, previous, year_ago, mom_change, yoy_change, months_with_data
from final
order by ord
