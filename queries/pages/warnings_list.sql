-- grain: one row per early warning among the viewer's branches and manager scope (shared/early_warnings),
-- as the 预警清单 shows it: names, the leaving member's number (masked on screen but for a role that
-- may see it), the group profile each row opens, the money at stake first.
with
final as (
    select w.kind, w.branch_id, b.branch_name, w.group_id, g.group_name, w.manager_id, m.manager_name,
           m.county as manager_county, w.subscriber_id, w.detail, w.amount, w.value, w.event_date,
           '/group_profile?group=' || w.group_id as profile, w.kind_ord
    from {{ ref('early_warnings') }} w
    left join branches b on b.branch_id = w.branch_id
    left join groups g on g.group_id = w.group_id
    left join managers m on m.manager_id = w.manager_id
)
select kind, branch_id, branch_name, group_id, group_name, manager_id, manager_name, manager_county, subscriber_id,
       detail, amount, value, event_date, profile
from final
order by amount desc nulls last, kind_ord, group_id, detail
