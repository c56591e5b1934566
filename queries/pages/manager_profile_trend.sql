-- grain: one row per month, the twelve up to the period's last month, for one manager ($manager_id):
-- the book at month end (active groups, their members), the revenue and member churn of the groups
-- the manager served that month, counted visits the manager made, orders the manager activated and
-- the visit compliance of the book at month end (each month judged as a month: A and B on that month,
-- C on the three months ending with it; definition: shared/visit_compliance_periods, 'month' rows).
with
months as (
    select month_start, month_end, month_label, prev_month
    from calendar_months
    where month_start <= $period_last_month
      and month_start > cast($period_last_month - interval 12 month as date)
),
served as (
    select
        m.month_start,
        count(*) filter (where gm.is_active) as "groups",
        cast(sum(case when gm.is_active then gm.active_members else 0 end) as bigint) as members,
        cast(sum(gm.revenue) as decimal(18, 2)) as revenue,
        sum(case when prev.group_id is not null then gm.members_left end) as members_left,
        sum(prev.active_members) as members_before
    from months m
    join group_months gm on gm.month_start = m.month_start
    left join group_months prev on prev.group_id = gm.group_id and prev.month_start = m.prev_month
    where gm.manager_id = $manager_id
      and gm.branch_id = any($branches)
    group by m.month_start
),
made as (
    select m.month_start, count(v.visit_id) as visits
    from months m
    join visits v on v.visit_date between m.month_start and m.month_end
    join groups g on g.group_id = v.group_id
    where v.manager_id = $manager_id
      and v.kind in (select kind from cfg_visit_kind)
      and g.branch_id = any($branches)
    group by m.month_start
),
judged as (
    select v.period_start as month_start,
           count(*) filter (where v.compliant) as compliant_groups,
           count(*) as judged_groups
    from {{ ref('visit_compliance_periods') }} v
    join months m on m.month_start = v.period_start
    where v.period_kind = 'month'
      and v.manager_id = $manager_id
      and v.branch_id = any($branches)
    group by v.period_start
),
activated as (
    select m.month_start, count(o.order_id) as orders_activated
    from months m
    join {{ ref('order_stages') }} o on cast(o.activated_at as date) between m.month_start and m.month_end
    where o.manager_id = $manager_id
      and o.branch_id = any($branches)
    group by m.month_start
),
final as (
    select
        m.month_start, m.month_label,
        coalesce(s."groups", 0) as "groups",
        coalesce(s.members, 0) as members,
        coalesce(s.revenue, 0) as revenue,
        cast(s.members_left as double) / nullif(s.members_before, 0) as member_churn_rate,
        coalesce(v.visits, 0) as visits,
        coalesce(a.orders_activated, 0) as orders_activated,
        coalesce(j.compliant_groups, 0) as compliant_groups,
        cast(j.compliant_groups as double) / nullif(j.judged_groups, 0) as visit_compliance
    from months m
    left join served s on s.month_start = m.month_start
    left join made v on v.month_start = m.month_start
    left join activated a on a.month_start = m.month_start
    left join judged j on j.month_start = m.month_start
    where $manager_scope is null or $manager_id = $manager_scope
)
select * from final
order by month_start
