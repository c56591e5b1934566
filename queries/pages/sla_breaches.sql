-- grain: one row per ticket × breached clock (response, resolve, follow-up) in the viewer's scope,
-- with how late it is at $as_of (elapsed − target, hours of the settings' clock) and whether the
-- clock is still running. With $only_pending, the breached clocks still running at $as_of whenever
-- the ticket was created (the late part of the backlog); otherwise every breach of the tickets
-- created in the period (the breaches counted by `kam report sla`). Most late first.
with
clocks as (
    select * from {{ ref('ticket_clocks') }} where sla_breached
),
final as (
    select
        ----------  the clock
        k.sla_elapsed_h - k.sla_target_h as sla_late_h,
        k.sla_stage,
        k.ticket_id,
        k.sla_clock_running,
        k.sla_due_at,
        k.sla_elapsed_h,
        k.sla_target_h,
        ----------  the ticket
        k."class", k.severity, k.category, k.channel, k.created_at,
        ----------  who
        k.group_id, g.group_name, k.branch_id, b.branch_name, k.manager_id, m.manager_name,
        '/group_profile?group=' || k.group_id as sla_group_link
    from clocks k
    join groups g on g.group_id = k.group_id
    join branches b on b.branch_id = k.branch_id
    left join managers m on m.manager_id = k.manager_id
    where (case when $only_pending then k.sla_clock_running else k.in_period end)
)
select * from final
order by sla_late_h desc, ticket_id, sla_stage
