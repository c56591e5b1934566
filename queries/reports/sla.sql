-- grain: one row per class × severity (all nine, zero where there is no ticket): the complaint
-- tickets created in the period in the viewer's scope, their response / resolution / follow-up
-- breaches as they stand at $as_of, the tickets still open and those resolved at $as_of, compliance
-- (tickets not breached ÷ tickets; follow-up, which only resolved tickets have, ÷ the tickets
-- resolved) and the median and 90th-percentile hours of the clocks that stopped, against the target
-- (metrics.md: Red channel). Hours are in the clock of the settings (calendar or business hours,
-- see shared/ticket_sla).
with
tickets as (
    select t.*
    from {{ ref('scoped_tickets') }} t
    where t.in_period
),
counted as (
    select
        "class", severity,
        ----------  counts
        count(*) as tickets,
        count(*) filter (where response_breached) as response_breaches,
        count(*) filter (where resolve_breached) as resolve_breaches,
        count(*) filter (where followup_breached) as followup_breaches,
        count(*) filter (where is_open) as open,
        count(*) filter (where resolved_at is not null) as resolved_tickets,
        ----------  times of the clocks that stopped (a running clock is not a time to respond yet)
        percentile_cont(0.5) within group (order by case when responded_at is not null then response_h end)
            as response_median_h,
        percentile_cont(0.9) within group (order by case when responded_at is not null then response_h end)
            as response_p90_h,
        percentile_cont(0.5) within group (order by case when resolved_at is not null then resolve_h end)
            as resolve_median_h,
        percentile_cont(0.9) within group (order by case when resolved_at is not null then resolve_h end)
            as resolve_p90_h,
        percentile_cont(0.5) within group (order by case when followup_at is not null then followup_h end)
            as followup_median_h,
        percentile_cont(0.9) within group (order by case when followup_at is not null then followup_h end)
            as followup_p90_h
    from tickets
    group by "class", severity
),
final as (
    select
        ----------  the cell
        s."class",
        s.severity,
        ----------  counts
        coalesce(c.tickets, 0) as tickets,
        coalesce(c.response_breaches, 0) as response_breaches,
        coalesce(c.resolve_breaches, 0) as resolve_breaches,
        coalesce(c.followup_breaches, 0) as followup_breaches,
        coalesce(c.open, 0) as open,
        coalesce(c.resolved_tickets, 0) as resolved_tickets,
        ----------  compliance: tickets not breached ÷ tickets, follow-up ÷ resolved tickets (empty without any)
        1 - c.response_breaches / c.tickets as sla_response_compliance,
        1 - c.resolve_breaches / c.tickets as sla_resolve_compliance,
        1 - c.followup_breaches / nullif(c.resolved_tickets, 0) as sla_followup_compliance,
        ----------  hours against target
        cast(s.response_hours as double) as response_target_h,
        c.response_median_h,
        c.response_p90_h,
        cast(s.resolve_hours as double) as resolve_target_h,
        c.resolve_median_h,
        c.resolve_p90_h,
        cast($followup_hours as double) as followup_target_h,
        c.followup_median_h,
        c.followup_p90_h
    from cfg_sla_target s
    left join counted c on c."class" = s."class" and c.severity = s.severity
)
select * from final
order by "class", severity
