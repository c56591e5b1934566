-- grain: one row per target of the chosen period × the branch it is set for among the viewer's
-- branches (branch_id empty = the province, shown only to a viewer of every branch): the KPI's actual,
-- attainment, on target, time progress (序时进度) and, for revenue and activated orders, whether the
-- branch is ahead of it. Definitions: queries/shared/target_attainment.sql (metrics.md: Targets).
with
final as (
    select branch_id, branch_name, period, kpi, kind, target, actual, attainment, on_target, time_progress,
           ahead_of_time, ord
    from {{ ref('target_attainment') }}
)
select branch_id, branch_name, period, kpi, kind, target, actual, attainment, on_target, time_progress,
       ahead_of_time
from final
order by branch_id nulls first, ord
