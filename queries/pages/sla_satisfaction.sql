-- grain: one row per clock (response, resolve, follow-up, any) × breached or not: satisfaction after
-- follow-up (metrics.md: Red channel, Satisfaction) of the tickets created in the period in the
-- viewer's scope and followed up by $as_of — how many, how many answered, the mean answer and the
-- share of answers ≥ 4.
with
followed as (
    select t.*
    from {{ ref('scoped_tickets') }} t
    where t.in_period
      and t.followup_at is not null
),
judged as (
    select
        k.sla_stage, k.stage_order,
        case k.sla_stage when 'response' then f.response_breached
                         when 'resolve' then f.resolve_breached
                         when 'followup' then f.followup_breached
                         else f.response_breached or f.resolve_breached or f.followup_breached
        end as sla_breached,
        f.satisfaction
    from followed f
    cross join (values ('response', 1), ('resolve', 2), ('followup', 3), ('any', 4)) as k(sla_stage, stage_order)
),
final as (
    select
        sla_stage,
        sla_breached,
        count(*) as sla_followed_up,
        count(satisfaction) as sla_answers,
        avg(satisfaction) as sla_satisfaction_mean,
        count(*) filter (where satisfaction >= 4) / nullif(count(satisfaction), 0) as sla_satisfied_share
    from judged
    group by sla_stage, stage_order, sla_breached
    order by stage_order, sla_breached
)
select * from final
