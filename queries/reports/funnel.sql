-- grain: one row per stage of the green channel (走访 → 业务办理 → 合同签订 → 工程实施 → 业务开通) for
-- the orders whose visited_at is in the period: orders that reached the stage by $as_of, the
-- conversion from the stage before and from the visit, and the cycle time in days from the stage
-- before and from the visit, median and 90th percentile (metrics.md: Funnel, Cycle time).
with
period_orders as (
    select * from {{ ref('period_orders') }}
),
stages as (
    select 1 as stage_order, 'visited' as stage union all
    select 2, 'handled' union all
    select 3, 'contracted' union all
    select 4, 'built' union all
    select 5, 'activated'
),
----------  one row per order × stage it reached, with the days it took to get there
reached as (
    select 1 as stage_order, order_id, cast(null as double) as days_from_previous, cast(0 as double) as days_from_visit
    from period_orders
    union all
    select 2, order_id, days_visited_handled, days_visited_handled
    from period_orders where handled_at is not null
    union all
    select 3, order_id, days_handled_contracted, cast(date_diff('second', visited_at, contracted_at) as double) / 86400
    from period_orders where contracted_at is not null
    union all
    select 4, order_id, days_contracted_built, cast(date_diff('second', visited_at, built_at) as double) / 86400
    from period_orders where built_at is not null
    union all
    select 5, order_id, days_built_activated, days_visited_activated
    from period_orders where activated_at is not null
),
counted as (
    select
        s.stage_order, s.stage,
        count(r.order_id) as orders,
        percentile_cont(0.5) within group (order by r.days_from_previous) as median_days,
        percentile_cont(0.9) within group (order by r.days_from_previous) as p90_days,
        percentile_cont(0.5) within group (order by r.days_from_visit) as median_days_from_visit,
        percentile_cont(0.9) within group (order by r.days_from_visit) as p90_days_from_visit
    from stages s
    left join reached r on r.stage_order = s.stage_order
    group by s.stage_order, s.stage
),
final as (
    select
        stage_order, stage, orders,
        cast(orders as double) / nullif(lag(orders) over (order by stage_order), 0) as conversion,
        cast(orders as double) / nullif(first_value(orders) over (order by stage_order), 0) as conversion_from_visit,
        round(median_days, 2) as median_days,
        round(p90_days, 2) as p90_days,
        case when stage_order > 1 then round(median_days_from_visit, 2) end as median_days_from_visit,
        case when stage_order > 1 then round(p90_days_from_visit, 2) end as p90_days_from_visit
    from counted
)
select * from final
order by stage_order
