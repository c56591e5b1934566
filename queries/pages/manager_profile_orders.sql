-- grain: one row per order of one manager ($manager_id) not activated at $as_of (in flight): the stage
-- it is in, since when and for how many days, and whether that is longer than $stuck_days.
with
final as (
    select
        o.order_id, o.group_id, g.group_name, o.product, o.monthly_value, o.visited_at, o.stage,
        o.stage_entered_at, round(o.days_in_stage, 1) as days_in_stage,
        o.days_in_stage > $stuck_days as is_stuck
    from {{ ref('order_stages') }} o
    join groups g on g.group_id = o.group_id
    where not o.is_activated
      and o.manager_id = $manager_id
      and o.branch_id = any($branches)
      and ($manager_scope is null or o.manager_id = $manager_scope)
)
select * from final
order by days_in_stage desc, order_id
