-- grain: one row per group of the snapshot base (拍照客户): active at the end of $snapshot_month, in the
-- viewer's branches ($branches) and manager scope ($manager_scope, the manager at the snapshot), with
-- what it was then — branch, recorded class, manager in that month, county, revenue of the month,
-- members active at its end — and where it stands at the end of the judged month (the chosen period's
-- last month with billing) and of the month before it (metrics.md: Snapshot retention).
--   *_now   the judged month: still active, its revenue, snapshot members still active (a member row
--           active at the snapshot's month end whose leave_date is empty or after the month's end)
--   *_prev  the same for the month before; NULL when that month is before the snapshot or has no billing
--   period_revenue  the group's revenue over the whole chosen period (存量收入)
with
data_months as (
    select distinct month_start from group_fee_months
),
span as (
    select max(month_start) as last_month from data_months
    where month_start between $period_start and $period_end
),
judged as (
    select s.last_month as month_start, 'now' as which from span s
    union all
    select cast(s.last_month - interval 1 month as date), 'prev' from span s
),
usable as (
    -- a month that can be judged: on or after the snapshot month, with billing
    select j.which, j.month_start, cast(j.month_start + interval 1 month - interval 1 day as date) as month_end
    from judged j
    join data_months d on d.month_start = j.month_start
    where j.month_start >= $snapshot_month
),
snap as (
    select gm.group_id, gm.branch_id, gm."class", gm.manager_id, g.county, gm.month_end as snapshot_end,
           gm.revenue as snapshot_revenue
    from group_months gm
    join groups g on g.group_id = gm.group_id
    where gm.month_start = $snapshot_month
      and gm.is_active
      and gm.branch_id = any($branches)
      and ($manager_scope is null or gm.manager_id = $manager_scope)
),
snap_members as (
    select m.group_id, m.leave_date
    from members m
    join snap s on s.group_id = m.group_id
    where m.join_date <= s.snapshot_end
      and (m.leave_date is null or m.leave_date > s.snapshot_end)
),
ends as (
    -- one row, NULLs where a month cannot be judged
    select max(month_start) filter (where which = 'now') as now_month,
           max(month_end) filter (where which = 'now') as now_end,
           max(month_end) filter (where which = 'prev') as prev_end
    from usable
),
member_counts as (
    select sm.group_id,
           count(*) as snapshot_members,
           count(*) filter (where sm.leave_date is null or sm.leave_date > e.now_end) as members_now,
           count(*) filter (where sm.leave_date is null or sm.leave_date > e.prev_end) as members_prev
    from snap_members sm
    cross join ends e
    group by sm.group_id
),
states as (
    select s.group_id,
           bool_or(gm.is_active) filter (where u.which = 'now') as active_now,
           sum(gm.revenue) filter (where u.which = 'now') as revenue_now,
           bool_or(gm.is_active) filter (where u.which = 'prev') as active_prev,
           sum(gm.revenue) filter (where u.which = 'prev') as revenue_prev
    from snap s
    join usable u on true
    join group_months gm on gm.group_id = s.group_id and gm.month_start = u.month_start
    group by s.group_id
),
period_revenue as (
    select gm.group_id, sum(gm.revenue) as period_revenue
    from group_months gm
    join snap s on s.group_id = gm.group_id
    where gm.month_start between $period_start and $period_end
    group by gm.group_id
),
final as (
    select
        s.group_id, s.branch_id, s."class", s.manager_id, s.county, s.snapshot_end,
        s.snapshot_revenue,
        coalesce(mc.snapshot_members, 0) as snapshot_members,
        e.now_month as judged_month,
        st.active_now, st.revenue_now,
        case when st.active_now is not null then coalesce(mc.members_now, 0) end as members_now,
        st.active_prev, st.revenue_prev,
        case when st.active_prev is not null then coalesce(mc.members_prev, 0) end as members_prev,
        coalesce(pr.period_revenue, 0) as period_revenue
    from snap s
    cross join ends e
    left join member_counts mc on mc.group_id = s.group_id
    left join states st on st.group_id = s.group_id
    left join period_revenue pr on pr.group_id = s.group_id
)
select * from final
