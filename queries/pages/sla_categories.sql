-- grain: one row per complaint category with tickets created in the period in the viewer's scope,
-- most tickets first: the category Pareto (share of tickets and cumulative share), tickets with any
-- breach and repeat complaints (ticket_sla.is_repeat) in it.
with
counted as (
    select
        t.category,
        count(*) as tickets,
        count(*) filter (where t.response_breached or t.resolve_breached or t.followup_breached)
            as breached_tickets,
        count(*) filter (where t.is_repeat) as repeat_tickets
    from {{ ref('scoped_tickets') }} t
    where t.in_period
    group by t.category
),
final as (
    select
        category, tickets,
        tickets / sum(tickets) over () as ticket_share,
        sum(tickets) over (order by tickets desc, category rows between unbounded preceding and current row)
            / sum(tickets) over () as ticket_cum_share,
        breached_tickets,
        repeat_tickets
    from counted
)
select * from final
order by tickets desc, category
