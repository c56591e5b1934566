-- grain: one row per branch in $branches × class (A, B, C): active groups at the end of the period,
-- their average active members, the capacity range read from cfg_capacity for that average, the
-- managers needed (round_half_up(n ÷ c_high) to round_half_up(n ÷ c_low), round_half_up(x) written
-- floor(x + 0.5)), the managers of the class's star level employed at $as_of, and the gap
-- (metrics.md: Staffing): short, within or surplus, with short_managers = required_low − current when
-- short and surplus_managers = current − required_high when surplus (both positive, else 0).
-- A branch × class without groups needs 0 managers.
with
scope_branches as (
    select branch_id, branch_name
    from branches
    where branch_id = any($branches)
),
classes as (
    select distinct "class", star_level from cfg_capacity
),
grid as (
    select b.branch_id, b.branch_name, c."class", c.star_level
    from scope_branches b cross join classes c
),

----------  the book: groups active at the end of the period and their members
book as (
    select branch_id, "class", count(*) as groups, sum(active_members) as members
    from group_months
    where month_start = $period_last_month and is_active and branch_id = any($branches)
    group by all
),

----------  managers employed at the as-of time (hired by then, leave_date empty or later)
employed as (
    select branch_id, star_level, count(*) as current
    from managers
    where branch_id = any($branches)
      and (hire_date is null or hire_date <= $as_of)
      and (leave_date is null or leave_date > $as_of)
    group by all
),

sized as (
    select
        g.branch_id, g.branch_name, g."class", g.star_level,
        coalesce(bk.groups, 0) as groups,
        coalesce(bk.members, 0) as members,
        cast(bk.members as double) / bk.groups as avg_members,
        coalesce(e.current, 0) as current
    from grid g
    left join book bk on bk.branch_id = g.branch_id and bk."class" = g."class"
    left join employed e on e.branch_id = g.branch_id and e.star_level = g.star_level
),
needed as (
    select
        s.*,
        cap.cap_low as capacity_low,
        cap.cap_high as capacity_high,
        case when s.groups = 0 then 0
             else cast(floor(s.groups / cast(cap.cap_high as double) + 0.5) as integer) end as required_low,
        case when s.groups = 0 then 0
             else cast(floor(s.groups / cast(cap.cap_low as double) + 0.5) as integer) end as required_high
    from sized s
    left join cfg_capacity cap
      on cap."class" = s."class"
     and cap.min_members - 1 < s.avg_members
     and (cap.max_members is null or s.avg_members <= cap.max_members)
),
final as (
    select
        *,
        case when current < required_low then 'short'
             when current > required_high then 'surplus'
             else 'within' end as gap,
        -- both counts are positive: managers missing below the range, managers beyond it
        case when current < required_low then required_low - current else 0 end as short_managers,
        case when current > required_high then current - required_high else 0 end as surplus_managers
    from needed
)
select * from final
