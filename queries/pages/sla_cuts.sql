-- grain: one row per value of the chosen cut ($dimension: class, severity, category, channel, branch
-- or manager) among the complaint tickets created in the period in the viewer's scope: tickets,
-- breaches, compliance (tickets not breached ÷ tickets; follow-up ÷ the tickets resolved) and
-- tickets still open at $as_of (metrics.md: Red channel, "every SLA figure can be cut by …"). `cut` is the code (NULL: no
-- channel / no manager), `cut_name` the branch or manager name.
with
tickets as (
    select
        t.*,
        case $dimension
            when 'class' then t."class"
            when 'severity' then cast(t.severity as varchar)
            when 'category' then t.category
            when 'channel' then t.channel
            when 'branch' then t.branch_id
            when 'manager' then t.manager_id
        end as cut
    from {{ ref('scoped_tickets') }} t
    where t.in_period
),
counted as (
    select
        cut,
        count(*) as tickets,
        count(*) filter (where response_breached) as response_breaches,
        count(*) filter (where resolve_breached) as resolve_breaches,
        count(*) filter (where followup_breached) as followup_breaches,
        count(*) filter (where resolved_at is not null) as resolved_tickets,
        count(*) filter (where is_open) as open
    from tickets
    group by cut
),
final as (
    select
        c.cut,
        case $dimension when 'branch' then b.branch_name when 'manager' then m.manager_name end as cut_name,
        c.tickets, c.response_breaches, c.resolve_breaches, c.followup_breaches, c.open, c.resolved_tickets,
        1 - c.response_breaches / c.tickets as sla_response_compliance,
        1 - c.resolve_breaches / c.tickets as sla_resolve_compliance,
        1 - c.followup_breaches / nullif(c.resolved_tickets, 0) as sla_followup_compliance
    from counted c
    left join branches b on $dimension = 'branch' and b.branch_id = c.cut
    left join managers m on $dimension = 'manager' and m.manager_id = c.cut
)
select * from final
order by sla_resolve_compliance, tickets desc, cut
