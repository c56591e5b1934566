-- grain: one row per month × fee item billed to the group $group_id (when the viewer may see it:
-- branch_id = any($branches)): the revenue of that fee item in that month.
with
grp as (
    select * from {{ ref('profile_group') }}
    where branch_id = any($branches)
),
final as (
    select f.month_start, f.fee_item, cast(f.revenue as decimal(18, 2)) as revenue
    from group_fee_months f
    join grp on grp.group_id = f.group_id
)
select * from final
order by month_start, fee_item
