-- grain: one row per manager who took the orders, over the orders whose visited_at is in the period: orders reaching
-- each stage by $as_of, conversion from visit to activation, and the cycle times in days between
-- consecutive stages and from visit to activation, median and 90th percentile (metrics.md: Funnel,
-- Cycle time).
with
period_orders as (
    select * from {{ ref('period_orders') }}
),
final as (
    select
        o.manager_id, m.manager_name, m.branch_id, m.star_level,
        ----------  orders reaching each stage
        count(*) as orders,
        count(o.handled_at) as handled,
        count(o.contracted_at) as contracted,
        count(o.built_at) as built,
        count(o.activated_at) as activated,
        cast(count(o.activated_at) as double) / count(*) as conversion_from_visit,
        ----------  cycle times, days
        round(percentile_cont(0.5) within group (order by o.days_visited_handled), 2) as median_days_visited_handled,
        round(percentile_cont(0.9) within group (order by o.days_visited_handled), 2) as p90_days_visited_handled,
        round(percentile_cont(0.5) within group (order by o.days_handled_contracted), 2) as median_days_handled_contracted,
        round(percentile_cont(0.9) within group (order by o.days_handled_contracted), 2) as p90_days_handled_contracted,
        round(percentile_cont(0.5) within group (order by o.days_contracted_built), 2) as median_days_contracted_built,
        round(percentile_cont(0.9) within group (order by o.days_contracted_built), 2) as p90_days_contracted_built,
        round(percentile_cont(0.5) within group (order by o.days_built_activated), 2) as median_days_built_activated,
        round(percentile_cont(0.9) within group (order by o.days_built_activated), 2) as p90_days_built_activated,
        round(percentile_cont(0.5) within group (order by o.days_visited_activated), 2) as median_days_visited_activated,
        round(percentile_cont(0.9) within group (order by o.days_visited_activated), 2) as p90_days_visited_activated
    from period_orders o
    join managers m on m.manager_id = o.manager_id
    group by all
)
select * from final
order by orders desc, manager_id
