-- grain: one row per group × calendar month (calendar_months): whether the group is active at
-- month end, its branch, recorded class, manager in that month and the manager's star level, revenue
-- of the month, members active at month end and members who left during the month
-- (metrics.md: Customers, Account managers, Star fit).
with
months as ( select month_start, month_end from calendar_months ),
first_month as ( select min(month_start) as first_start from calendar_months ),

----------  revenue of each group in each bill_month
revenue as (
    select group_id, bill_month as month_start, sum(amount) as revenue
    from billing
    group by all
),

----------  members: +1 in the month a member starts counting, -1 in the month they leave
member_events as (
    select group_id, greatest(cast(date_trunc('month', join_date) as date), f.first_start) as month_start,
           1 as delta, 0 as left_in_month
    from members, first_month f
    union all
    -- a member who left before the first month leaves in it too, but is not a leaver of that month
    select group_id, greatest(cast(date_trunc('month', leave_date) as date), f.first_start), -1,
           case when leave_date >= f.first_start then 1 else 0 end
    from members, first_month f
    where leave_date is not null
),
member_moves as (
    select group_id, month_start, sum(delta) as delta, sum(left_in_month) as members_left
    from member_events
    group by all
),

----------  the manager serving each group at each month end
assignment_at_month as (
    select a.group_id, m.month_start, a.manager_id
    from assignments a
    join months m on a.start_date <= m.month_end
    qualify row_number() over (
        partition by a.group_id, m.month_start
        order by (a.end_date is null or a.end_date > m.month_end) desc, a.start_date desc, a.manager_id
    ) = 1
),

grid as (
    select g.group_id, g.branch_id, g."class", g.open_date, g.close_date, g.manager_id as recorded_manager_id,
           m.month_start, m.month_end
    from groups g cross join months m
),
with_manager as (
    select
        ----------  ids
        grid.group_id,
        grid.month_start,
        grid.month_end,
        grid.branch_id,
        coalesce(am.manager_id, grid.recorded_manager_id) as manager_id,
        ----------  state at month end
        grid."class",
        (grid.open_date is null or grid.open_date <= grid.month_end)
            and (grid.close_date is null or grid.close_date > grid.month_end) as is_active,
        grid.close_date is not null
            and grid.close_date between grid.month_start and grid.month_end as churned_in_month,
        ----------  money
        coalesce(r.revenue, 0) as revenue,
        ----------  members
        coalesce(sum(mm.delta) over (
            partition by grid.group_id order by grid.month_start
            rows between unbounded preceding and current row), 0) as active_members,
        coalesce(mm.members_left, 0) as members_left
    from grid
    left join revenue r on r.group_id = grid.group_id and r.month_start = grid.month_start
    left join member_moves mm on mm.group_id = grid.group_id and mm.month_start = grid.month_start
    left join assignment_at_month am on am.group_id = grid.group_id and am.month_start = grid.month_start
),
final as (
    select
        w.*,
        mg.star_level as manager_star,
        case w."class" when 'A' then 3 when 'B' then 2 else 1 end as star_needed,
        w.manager_id is not null and mg.star_level >= case w."class" when 'A' then 3 when 'B' then 2 else 1 end
            as star_fits
    from with_manager w
    left join managers mg on mg.manager_id = w.manager_id
)
select * from final
