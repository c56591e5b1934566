-- grain: one row per complaint ticket open at $as_of in the viewer's scope, whenever it was created:
-- the tickets the backlog counts (metrics.md: Red channel, Backlog; shared/ticket_sla.backlog_band),
-- each aged in calendar days since it was created (open_days) and, once past its resolution target,
-- in calendar days since it fell due (sla_late_days). Furthest over its target first.
with
final as (
    select
        t.backlog_band,
        date_diff('second', t.created_at, $as_of) / 86400.0 as open_days,
        case when t.resolve_breached
             then date_diff('second', t.resolve_due_at, $as_of) / 86400.0 end as sla_late_days,
        t.ticket_id,
        t.created_at,
        t.responded_at,
        t.resolve_due_at,
        t.resolve_h,
        t.resolve_target_h,
        ----------  the ticket
        t."class", t.severity, t.category, t.channel,
        ----------  who
        t.group_id, g.group_name, t.branch_id, b.branch_name, t.manager_id, m.manager_name,
        '/group_profile?group=' || t.group_id as sla_group_link
    from {{ ref('scoped_tickets') }} t
    join groups g on g.group_id = t.group_id
    join branches b on b.branch_id = t.branch_id
    left join managers m on m.manager_id = t.manager_id
    where t.is_open
)
select * from final
order by resolve_h / resolve_target_h desc, created_at, ticket_id
