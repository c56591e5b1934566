-- grain: one row per order whose visited_at is in the period, in the viewer's scope ($branches,
-- $manager_scope), with its stages and cycle times (shared/order_stages) (metrics.md: Funnel, Cycle
-- time). The funnel and every breakdown of it start from here.
with
final as (
    select *
    from {{ ref('order_stages') }}
    where branch_id = any($branches)
      and ($manager_scope is null or manager_id = $manager_scope)
      and cast(visited_at as date) between $period_start and $period_end
)
select * from final
