-- grain: one row per branch in the viewer's branches × branch KPI with an alert target (settings
-- [alerts]): the KPI's value in the chosen period (shared/period_kpis.sql, as in `kam report
-- branches`), its target and whether the branch is below it — the single rule of the branch alerts
--   sla_below    resolution SLA compliance < $sla_compliance_min
--   visit_below  visit compliance < $visit_compliance_min
-- A branch without a value (no ticket, no group judged) is never below its target.
with
branch_kpis as (
    select * from {{ ref('period_kpis') }}
    where period = 'current'
      and branch_id = any($branches)
),
rules as (
    select 'sla_below' as alert, 1 as ord, 'sla_resolve_compliance' as kpi,
           cast($sla_compliance_min as double) as target
    union all
    select 'visit_below', 2, 'visit_compliance', cast($visit_compliance_min as double)
),
final as (
    select
        r.alert, r.ord, r.kpi, k.branch_id,
        case r.kpi when 'sla_resolve_compliance' then k.sla_resolve_compliance
                   else k.visit_compliance end as value,
        r.target
    from rules r
    cross join branch_kpis k
)
select alert, ord, kpi, branch_id, value, target, coalesce(value < target, false) as below_target
from final
