-- grain: one row: the headline figures of the complaint-SLA page for the viewer's scope — compliance
-- of the tickets created in the period (metrics.md: Red channel), the backlog and the at-risk tickets
-- at $as_of (whenever created), repeat complaints and satisfaction after follow-up in the period.
with
scoped as (
    select t.*
    from {{ ref('scoped_tickets') }} t
),
final as (
    select
        ----------  tickets created in the period
        count(*) filter (where in_period) as tickets,
        count(*) filter (where in_period and response_breached) as response_breaches,
        count(*) filter (where in_period and resolve_breached) as resolve_breaches,
        count(*) filter (where in_period and followup_breached) as followup_breaches,
        count(*) filter (where in_period and resolved_at is not null) as resolved_tickets,
        1 - count(*) filter (where in_period and response_breached)
            / nullif(count(*) filter (where in_period), 0) as sla_response_compliance,
        1 - count(*) filter (where in_period and resolve_breached)
            / nullif(count(*) filter (where in_period), 0) as sla_resolve_compliance,
        -- follow-up only for resolved tickets: ÷ the tickets of the period resolved by $as_of
        1 - count(*) filter (where in_period and followup_breached)
            / nullif(count(*) filter (where in_period and resolved_at is not null), 0) as sla_followup_compliance,
        count(*) filter (where in_period and is_repeat) as repeat_tickets,
        count(*) filter (where in_period and is_repeat) / nullif(count(*) filter (where in_period), 0)
            as sla_repeat_share,
        ----------  satisfaction over the tickets of the period followed up by $as_of
        count(*) filter (where in_period and followup_at is not null) as sla_followed_up,
        avg(satisfaction) filter (where in_period and followup_at is not null) as sla_satisfaction_mean,
        count(*) filter (where in_period and followup_at is not null and satisfaction >= 4)
            / nullif(count(satisfaction) filter (where in_period and followup_at is not null), 0)
            as sla_satisfied_share,
        ----------  at $as_of, whenever created
        count(*) filter (where is_open) as backlog,
        count(*) filter (where response_at_risk or resolve_at_risk or followup_at_risk) as at_risk_tickets
    from scoped
)
select * from final
