-- grain: one row per group active at the end of the period, in the viewer's scope: its name, branch, class,
-- active members, the manager serving it that month (group_months, with the name) and whether that manager
-- is employed at the as-of time, and the capacity range (groups per manager) cfg_capacity gives for its
-- class and size.
-- The rebalancing proposal (kam/planning/rebalance.py) counts a group as 1 ÷ capacity_high of a full book.
with
book as (
    select group_id, branch_id, "class", manager_id, active_members as members
    from group_months
    where month_start = $period_last_month and is_active and branch_id = any($branches)
),
final as (
    select
        b.group_id, g.group_name, b.branch_id, br.branch_name, b."class",
        cap.star_level as star_needed,
        cast(b.members as bigint) as members,
        cap.cap_low as capacity_low,
        cap.cap_high as capacity_high,
        b.manager_id,
        m.manager_name,
        m.branch_id as manager_branch_id,
        m.star_level as manager_star,
        m.manager_id is not null
            and (m.hire_date is null or m.hire_date <= $as_of)
            and (m.leave_date is null or m.leave_date > $as_of) as manager_employed
    from book b
    join groups g on g.group_id = b.group_id
    left join branches br on br.branch_id = b.branch_id
    left join managers m on m.manager_id = b.manager_id
    left join cfg_capacity cap
      on cap."class" = b."class"
     and cap.min_members - 1 < b.members
     and (cap.max_members is null or b.members <= cap.max_members)
)
select * from final
order by branch_id, group_id
