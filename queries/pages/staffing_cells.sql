-- grain: one row per branch × recorded class × suggested class of the groups active at the end of the
-- period, in the viewer's scope: groups and their active members. The what-if model starts from these
-- cells (moving groups between classes moves their members with them). Suggested class (metrics.md:
-- Classes): the trailing three months' average revenue, A if ≥ $class_a_min, B if ≥ $class_b_min, else C;
-- the average is over the months of the three that the data covers.
with
book as (
    select group_id, branch_id, "class", active_members
    from group_months
    where month_start = $period_last_month and is_active and branch_id = any($branches)
),
trailing_revenue as (
    select gm.group_id, avg(gm.revenue) as avg_revenue
    from group_months gm
    join book b on b.group_id = gm.group_id
    where gm.month_start between cast($period_last_month - interval 2 month as date) and $period_last_month
    group by gm.group_id
),
suggested as (
    select
        b.*,
        case when coalesce(t.avg_revenue, 0) >= $class_a_min then 'A'
             when coalesce(t.avg_revenue, 0) >= $class_b_min then 'B'
             else 'C' end as suggested_class
    from book b
    left join trailing_revenue t on t.group_id = b.group_id
),
final as (
    select
        branch_id, "class", suggested_class,
        count(*) as groups,
        cast(sum(active_members) as bigint) as members
    from suggested
    group by all
)
select * from final
order by branch_id, "class", suggested_class
