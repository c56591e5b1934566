-- grain: one row per group in one manager's ($manager_id) book at the end of the period: its class
-- and whether the manager's star level fits it, members, revenue in the months of the period this
-- manager served it, counted visits against the standard (shared visit_compliance), the last
-- counted visit and the complaints open at $as_of.
with
book as (
    select gm.group_id, gm."class", cast(gm.active_members as bigint) as members, gm.star_fits
    from group_months gm
    where gm.month_start = $period_last_month
      and gm.is_active
      and gm.manager_id = $manager_id
      and gm.branch_id = any($branches)
      and ($manager_scope is null or gm.manager_id = $manager_scope)
),
served_revenue as (
    select gm.group_id, sum(gm.revenue) as revenue
    from group_months gm
    where gm.month_start between $period_start and $period_last_month
      and gm.manager_id = $manager_id
    group by gm.group_id
),
last_visit as (
    select v.group_id, max(v.visit_date) as last_visit_date
    from visits v
    where v.visit_date <= $period_end
      and v.kind in (select kind from cfg_visit_kind)
    group by v.group_id
),
open_tickets as (
    select group_id, count(*) as open_tickets
    from {{ ref('ticket_sla') }}
    where is_open
    group by group_id
),
judged as (
    select group_id, required_visits, visits, compliant from {{ ref('visit_compliance') }}
),
final as (
    select
        b.group_id, g.group_name, b."class", b.star_fits, b.members,
        cast(coalesce(r.revenue, 0) as decimal(18, 2)) as revenue,
        j.visits, j.required_visits, j.compliant,
        lv.last_visit_date,
        coalesce(t.open_tickets, 0) as open_tickets,
        '/group_profile?group=' || b.group_id as group_link
    from book b
    join groups g on g.group_id = b.group_id
    left join served_revenue r on r.group_id = b.group_id
    left join judged j on j.group_id = b.group_id
    left join last_visit lv on lv.group_id = b.group_id
    left join open_tickets t on t.group_id = b.group_id
)
select * from final
order by "class", revenue desc, group_id
