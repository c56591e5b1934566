-- grain: one row per cohort (`changed`: groups whose manager changed; `unchanged`: groups without a
-- change in the same window) × class, plus one row per cohort over all classes (class `all`): member
-- churn and revenue change in the six months from the month of the change against the six months
-- before it. A change is a month end whose manager differs from the previous month end's (both
-- assigned); only changes with six months on both sides, up to the period, are compared, and each is
-- matched with every group that kept its manager from six months before to five months after.
with
months as (
    select month_start, row_number() over (order by month_start) as n
    from calendar_months
    where month_start <= $period_last_month
),
gm as (
    select g.group_id, m.n, g.manager_id, g."class", g.is_active, g.revenue, g.members_left, g.active_members
    from group_months g
    join months m on m.month_start = g.month_start
    where g.branch_id = any($branches)
),
changes as (
    select cur.group_id, cur.n as change_n
    from gm cur
    join gm prev on prev.group_id = cur.group_id and prev.n = cur.n - 1
    where cur.manager_id is not null and prev.manager_id is not null and cur.manager_id <> prev.manager_id
),
anchors as (
    select distinct c.change_n
    from changes c
    where c.change_n - 6 >= 1 and c.change_n + 5 <= (select max(n) from months)
),
windows as (
    select c.group_id, c.change_n as anchor_n, 'changed' as cohort
    from changes c
    join anchors a on a.change_n = c.change_n
    union all
    select g.group_id, a.change_n, 'unchanged'
    from anchors a
    join gm g on g.n = a.change_n - 1 and g.manager_id is not null
    where not exists (
        select 1 from changes c
        where c.group_id = g.group_id and c.change_n between a.change_n - 5 and a.change_n + 5)
),
measured as (
    select
        w.cohort, w.group_id, w.anchor_n, base."class",
        max(base.active_members) as members_before,
        sum(case when g.n >= w.anchor_n then g.members_left else 0 end) as members_left_after,
        sum(case when g.n < w.anchor_n then g.revenue else 0 end) as revenue_before,
        sum(case when g.n >= w.anchor_n then g.revenue else 0 end) as revenue_after
    from windows w
    join gm base on base.group_id = w.group_id and base.n = w.anchor_n - 1
    join gm g on g.group_id = w.group_id and g.n between w.anchor_n - 6 and w.anchor_n + 5
    where base.is_active
    group by w.cohort, w.group_id, w.anchor_n, base."class"
),
final as (
    select
        cohort,
        coalesce("class", 'all') as "class",
        count(*) as windows,
        count(distinct group_id) as "groups",
        cast(sum(members_before) as bigint) as members_before,
        cast(sum(members_left_after) as bigint) as members_left,
        cast(sum(members_left_after) as double) / nullif(sum(members_before), 0) as member_churn_6m,
        cast(sum(revenue_before) as decimal(18, 2)) as revenue_before,
        cast(sum(revenue_after) as decimal(18, 2)) as revenue_after,
        sum(revenue_after) / nullif(sum(revenue_before), 0) - 1 as revenue_change
    from measured
    group by grouping sets ((cohort, "class"), (cohort))
)
select * from final
order by "class" = 'all' desc, "class", cohort
