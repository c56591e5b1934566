-- grain: one row per recorded class × fee item (every fee item billed anywhere in the warehouse) among
-- the viewer's branches: groups active at the end of the chosen period (shared/period_groups.sql),
-- those with revenue > 0 in the fee item over the period, and the penetration = the share of them
-- (metrics.md: Product penetration).
with
active as (
    select group_id, "class" from {{ ref('period_groups') }}
    where branch_id = any($branches)
),
fee_items as (
    select distinct fee_item from group_fee_months
),
holders as (
    select f.group_id, f.fee_item
    from group_fee_months f
    join active a on a.group_id = f.group_id
    where f.month_start between $period_start and $period_end
    group by f.group_id, f.fee_item
    having sum(f.revenue) > 0
),
class_sizes as (
    select "class", count(*) as "groups" from active group by "class"
),
final as (
    select
        c."class",
        i.fee_item,
        c."groups",
        count(h.group_id) as groups_with_product,
        cast(count(h.group_id) as double) / c."groups" as penetration
    from class_sizes c
    cross join fee_items i
    left join active a on a."class" = c."class"
    left join holders h on h.group_id = a.group_id and h.fee_item = i.fee_item
    group by c."class", i.fee_item, c."groups"
)
select * from final
order by "class", fee_item
