-- grain: one row per repeat complaint (ticket_sla.is_repeat: the same group's previous ticket was
-- created at most $repeat_days days before it) created in the period in the viewer's scope, with the
-- gap to that previous ticket; newest first.
with
final as (
    select
        t.created_at,
        t.ticket_id,
        t.previous_created_at,
        date_diff('second', t.previous_created_at, t.created_at) / 86400.0 as repeat_gap_days,
        t.category, t.severity, t."class",
        t.group_id, g.group_name, t.branch_id, b.branch_name, t.manager_id, m.manager_name,
        '/group_profile?group=' || t.group_id as sla_group_link
    from {{ ref('scoped_tickets') }} t
    join groups g on g.group_id = t.group_id
    join branches b on b.branch_id = t.branch_id
    left join managers m on m.manager_id = t.manager_id
    where t.in_period
      and t.is_repeat
)
select * from final
order by created_at desc, ticket_id
