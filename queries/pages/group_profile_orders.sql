-- grain: one row per order of the group $group_id (when the viewer may see it:
-- branch_id = any($branches)), newest first, with the last stage it reached.
with
grp as (
    select * from {{ ref('profile_group') }}
    where branch_id = any($branches)
),
final as (
    select
        o.order_id, o.product, o.manager_id, o.visited_at, o.handled_at, o.contracted_at, o.built_at,
        o.activated_at, o.monthly_value,
        case when o.activated_at is not null then 'activated'
             when o.built_at is not null then 'built'
             when o.contracted_at is not null then 'contracted'
             when o.handled_at is not null then 'handled'
             else 'visited' end as stage
    from orders o
    join grp on grp.group_id = o.group_id
)
select * from final
order by visited_at desc, order_id
