-- grain: one row per early warning (预警清单) among the viewer's branches and manager scope: high-value
-- members leaving in the period, revenue sliding three months running, contracts expiring unrenewed
-- and arrears by age, the money at stake first. Definitions: queries/shared/early_warnings.sql
-- (metrics.md: Early warnings). No phone number: a leaving member is shown, masked, on the page only.
with
final as (
    select w.kind, w.branch_id, w.group_id, g.group_name, w.manager_id, m.manager_name, w.detail, w.amount,
           w.value, w.event_date, w.kind_ord
    from {{ ref('early_warnings') }} w
    left join groups g on g.group_id = w.group_id
    left join managers m on m.manager_id = w.manager_id
)
select kind, branch_id, group_id, group_name, manager_id, manager_name, detail, amount, value, event_date
from final
order by amount desc nulls last, kind_ord, group_id, detail
