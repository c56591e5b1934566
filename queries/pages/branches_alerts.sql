-- grain: one row per branch in the viewer's branches × branch KPI with an alert target: its value,
-- the target and whether it is below it (shared/branch_alerts.sql, the rule the overview's alerts
-- fire on); the branches page draws the target and marks the branches below it.
with
final as (
    select alert, kpi, branch_id, value, target, below_target
    from {{ ref('branch_alerts') }}
    where branch_id = any($branches)
)
select * from final
order by alert, branch_id
