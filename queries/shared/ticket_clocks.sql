-- grain: one row per ticket in the viewer's scope (shared/scoped_tickets) × clock (response, resolve,
-- follow-up): the clock's target, the hours it has run by $as_of, when it falls due, when it stopped
-- (NULL: still running at $as_of), and whether it is still running, breached or at risk (metrics.md:
-- Red channel). Lists of breached clocks and of clocks at risk start from here.
with
final as (
    select
        t.*, k.sla_stage,
        case k.sla_stage when 'response' then t.response_target_h when 'resolve' then t.resolve_target_h
                         else t.followup_target_h end as sla_target_h,
        case k.sla_stage when 'response' then t.response_h when 'resolve' then t.resolve_h
                         else t.followup_h end as sla_elapsed_h,
        case k.sla_stage when 'response' then t.response_due_at when 'resolve' then t.resolve_due_at
                         else t.followup_due_at end as sla_due_at,
        case k.sla_stage when 'response' then t.responded_at when 'resolve' then t.resolved_at
                         else t.followup_at end as sla_stopped_at,
        case k.sla_stage when 'response' then t.responded_at is null when 'resolve' then t.resolved_at is null
                         else t.followup_at is null end as sla_clock_running,
        case k.sla_stage when 'response' then t.response_breached when 'resolve' then t.resolve_breached
                         else t.followup_breached end as sla_breached,
        case k.sla_stage when 'response' then t.response_at_risk when 'resolve' then t.resolve_at_risk
                         else t.followup_at_risk end as sla_at_risk
    from {{ ref('scoped_tickets') }} t
    cross join (values ('response'), ('resolve'), ('followup')) as k(sla_stage)
)
select * from final
