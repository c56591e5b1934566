-- grain: one row per ticket × breached clock (response, resolve, follow-up) of the tickets created in
-- the period in the viewer's scope — the breaches counted by the compliance figures and `kam report
-- sla` (metrics.md: Red channel) — with how late it is: sla_late_h (elapsed − target, hours of the
-- settings' clock) and sla_late_days (calendar days from the moment it fell due to the moment it
-- stopped, or to $as_of while it still runs). With $only_pending, only those of them still running
-- at $as_of (not yet answered, resolved or followed up): a subset of the full list, never a list of
-- its own. A ticket created before the period counts in its own period's list (a follow-up missed a
-- year ago is a breach of that year's ticket, late by its days, not a task still running now).
-- Most late first.
with
clocks as (
    select * from {{ ref('ticket_clocks') }}
    where sla_breached
      and in_period
),
final as (
    select
        ----------  the clock
        date_diff('second', k.sla_due_at, coalesce(k.sla_stopped_at, $as_of)) / 86400.0 as sla_late_days,
        k.sla_stage,
        k.ticket_id,
        k.sla_clock_running,
        k.sla_due_at,
        k.sla_stopped_at,
        k.sla_elapsed_h - k.sla_target_h as sla_late_h,
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
    where (not $only_pending or k.sla_clock_running)
)
select * from final
order by sla_late_h desc, ticket_id, sla_stage
