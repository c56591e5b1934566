-- grain: one row per month of the twelve ending with the period's last month: the complaint tickets
-- created in that month in the viewer's scope and their compliance as it stands at $as_of (follow-up
-- compliance over the tickets resolved by then)
-- (metrics.md: Red channel); months without a ticket have 0 tickets and empty compliance.
with
month_series as (
    select unnest(generate_series(cast($period_last_month - interval 11 month as date),
                                  cast($period_last_month as date), interval 1 month)) as month_ts
),
months as (
    select cast(month_ts as date) as month_start from month_series
),
tickets as (
    select cast(date_trunc('month', t.created_at) as date) as month_start, t.*
    from {{ ref('scoped_tickets') }} t
    where t.created_at >= cast($period_last_month - interval 11 month as date)
      and t.created_at < cast($period_last_month as date) + interval 1 month
),
counted as (
    select
        month_start,
        count(*) as tickets,
        count(*) filter (where response_breached) as response_breaches,
        count(*) filter (where resolve_breached) as resolve_breaches,
        count(*) filter (where followup_breached) as followup_breaches,
        count(*) filter (where resolved_at is not null) as resolved_tickets
    from tickets
    group by month_start
),
final as (
    select
        m.month_start,
        coalesce(c.tickets, 0) as tickets,
        coalesce(c.response_breaches, 0) as response_breaches,
        coalesce(c.resolve_breaches, 0) as resolve_breaches,
        coalesce(c.followup_breaches, 0) as followup_breaches,
        coalesce(c.resolved_tickets, 0) as resolved_tickets,
        1 - c.response_breaches / c.tickets as sla_response_compliance,
        1 - c.resolve_breaches / c.tickets as sla_resolve_compliance,
        1 - c.followup_breaches / nullif(c.resolved_tickets, 0) as sla_followup_compliance
    from months m
    left join counted c using (month_start)
)
select * from final
order by month_start
