-- grain: one row per complaint ticket still open at $as_of of a group whose manager (in the month the
-- ticket was created) is $manager_id: its targets, hours elapsed and breaches (shared ticket_sla).
with
final as (
    select
        t.ticket_id, t.group_id, g.group_name, t."class", t.category, t.severity, t.channel, t.created_at,
        t.responded_at as first_response_at,
        round(t.resolve_h, 1) as hours_open, t.resolve_target_h as resolve_target_hours,
        t.response_breached, t.resolve_breached
    from {{ ref('ticket_sla') }} t
    join groups g on g.group_id = t.group_id
    where t.is_open
      and t.manager_id = $manager_id
      and t.branch_id = any($branches)
      and ($manager_scope is null or t.manager_id = $manager_scope)
)
select * from final
order by created_at
