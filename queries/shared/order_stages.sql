-- grain: one row per order visited on or before $as_of: the time it reached each stage of
-- 走访 → 业务办理 → 合同签订 → 工程实施 → 业务开通 as it stands at $as_of (a later time has not happened
-- yet), the stage it is in, how long it has been there and the days between stages
-- (metrics.md: Green channel). branch_id is the ordering group's branch.
with
orders_at as (
    select
        o.order_id, o.group_id, o.manager_id, g.branch_id, g."class", o.product, o.monthly_value,
        o.visited_at,
        case when o.handled_at <= $as_of then o.handled_at end as handled_at,
        case when o.contracted_at <= $as_of then o.contracted_at end as contracted_at,
        case when o.built_at <= $as_of then o.built_at end as built_at,
        case when o.activated_at <= $as_of then o.activated_at end as activated_at
    from orders o
    join groups g on g.group_id = o.group_id
    where o.visited_at <= $as_of
),
staged as (
    select
        *,
        case when activated_at is not null then 5 when built_at is not null then 4
             when contracted_at is not null then 3 when handled_at is not null then 2 else 1 end
            as stages_reached,
        coalesce(activated_at, built_at, contracted_at, handled_at, visited_at) as stage_entered_at
    from orders_at
),
final as (
    select
        ----------  ids
        order_id, group_id, manager_id, branch_id, "class", product, monthly_value,
        ----------  stage times
        visited_at, handled_at, contracted_at, built_at, activated_at,
        ----------  where it stands at $as_of
        stages_reached,
        case stages_reached when 1 then 'visited' when 2 then 'handled' when 3 then 'contracted'
                            when 4 then 'built' else 'activated' end as stage,
        stage_entered_at,
        activated_at is not null as is_activated,
        case when activated_at is null
             then cast(date_diff('second', stage_entered_at, $as_of) as double) / 86400 end as days_in_stage,
        ----------  cycle times, days (NULL until both stages are reached)
        cast(date_diff('second', visited_at, handled_at) as double) / 86400 as days_visited_handled,
        cast(date_diff('second', handled_at, contracted_at) as double) / 86400 as days_handled_contracted,
        cast(date_diff('second', contracted_at, built_at) as double) / 86400 as days_contracted_built,
        cast(date_diff('second', built_at, activated_at) as double) / 86400 as days_built_activated,
        cast(date_diff('second', visited_at, activated_at) as double) / 86400 as days_visited_activated
    from staged
)
select * from final
