-- grain: one row per ticket × clock (response, resolve, follow-up) still running at $as_of in the
-- viewer's scope that has used at least $at_risk_share of its target but not yet exceeded it
-- (ticket_sla.*_at_risk), whenever the ticket was created; soonest breach first.
with
clocks as (
    select * from {{ ref('ticket_clocks') }} where sla_at_risk
),
final as (
    select
        ----------  the clock
        k.sla_due_at,
        k.sla_target_h - k.sla_elapsed_h as sla_remaining_h,
        k.sla_stage,
        k.ticket_id,
        k.sla_elapsed_h / k.sla_target_h as sla_used_share,
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
)
select * from final
order by sla_due_at, sla_remaining_h, ticket_id, sla_stage
