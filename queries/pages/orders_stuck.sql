-- grain: one row per order not yet activated at $as_of that has stayed in its current stage longer
-- than $stuck_days days, longest first; with $in_period_only only orders visited in the period,
-- else whenever they were visited.
with
final as (
    select
        o.order_id, o.group_id, g.group_name, o.branch_id, o.manager_id, m.manager_name, o.product,
        o.monthly_value, o.visited_at, o.stage, o.stage_entered_at,
        round(o.days_in_stage, 1) as days_in_stage
    from {{ ref('order_stages') }} o
    join groups g on g.group_id = o.group_id
    left join managers m on m.manager_id = o.manager_id
    where o.branch_id = any($branches)
      and ($manager_scope is null or o.manager_id = $manager_scope)
      and not o.is_activated
      and o.days_in_stage > $stuck_days
      and (not $in_period_only or cast(o.visited_at as date) between $period_start and $period_end)
)
select * from final
order by days_in_stage desc, order_id
