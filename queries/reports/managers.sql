-- grain: one row per manager with a book (at least one active group at the end of the period) in
-- the viewer's branches: the book, loyalty, service, complaints, the score with each component's
-- percentile rank and the rank among managers of the same star level, workload against capacity and
-- star fit (metrics.md: Account managers, Manager score, Staffing, Star fit).
-- Monthly figures follow the group's manager in each month (group_months.manager_id): a group that
-- changes hands mid-quarter brings its revenue and member churn to whoever served it in that month.
with
----------  the months of the period, each with its counterpart in the previous period and a year before
period_months as (
    select
        c.month_start,
        case when $period_months = 1 then c.prev_month
             else cast(c.month_start - interval 3 month as date) end as prev_month,
        c.yoy_month,
        c.prev_month as month_before
    from calendar_months c
    where c.month_start between $period_start and $period_last_month
),

----------  each group in each month of the period, with the manager who served it that month
served as (
    select
        gm.group_id, gm.month_start, gm.manager_id, gm.revenue, gm.members_left,
        prev.revenue as prev_revenue,           -- NULL when that month is not in the data
        yoy.revenue as yoy_revenue,
        before.active_members as members_before -- active at the end of the month before
    from group_months gm
    join period_months pm on pm.month_start = gm.month_start
    left join group_months prev on prev.group_id = gm.group_id and prev.month_start = pm.prev_month
    left join group_months yoy on yoy.group_id = gm.group_id and yoy.month_start = pm.yoy_month
    left join group_months before on before.group_id = gm.group_id and before.month_start = pm.month_before
    where gm.manager_id is not null
      and gm.branch_id = any($branches)
),
money as (
    select
        manager_id,
        sum(revenue) as revenue,
        -- like for like: the same groups in the matching months; empty where a month is missing
        case when count(prev_revenue) = count(*) then sum(prev_revenue) end as revenue_prev,
        case when count(yoy_revenue) = count(*) then sum(yoy_revenue) end as revenue_yoy_base,
        -- member churn: leavers of each month ÷ members active at the end of the month before
        sum(case when members_before is not null then members_left end) as members_left,
        sum(members_before) as members_before
    from served
    group by manager_id
),

----------  the book: active groups at the end of the period
book as (
    select
        gm.manager_id,
        count(*) as "groups",
        count(*) filter (where gm."class" = 'A') as groups_a,
        count(*) filter (where gm."class" = 'B') as groups_b,
        count(*) filter (where gm."class" = 'C') as groups_c,
        cast(sum(gm.active_members) as bigint) as members,
        avg(gm.active_members) as avg_members,
        count(*) filter (where gm.star_fits) as fitting_groups
    from group_months gm
    where gm.month_start = $period_last_month
      and gm.is_active
      and gm.manager_id is not null
      and gm.branch_id = any($branches)
    group by gm.manager_id
),

----------  yellow channel: visit compliance and care coverage of the book
visit_standard as (
    select manager_id, count(*) filter (where compliant) as compliant_groups
    from {{ ref('visit_compliance') }}
    where branch_id = any($branches)
    group by manager_id
),
cared as (
    select gm.manager_id, count(distinct gm.group_id) as cared_groups
    from group_months gm
    join calendar_months c on c.month_start = gm.month_start
    join visits v
      on v.group_id = gm.group_id
     and v.kind = 'care'
     and v.visit_date between c.quarter_start and $period_end
    where gm.month_start = $period_last_month
      and gm.is_active
      and gm.branch_id = any($branches)
    group by gm.manager_id
),

----------  green channel: orders by the manager who took them
order_counts as (
    select
        manager_id,
        count(*) filter (where cast(visited_at as date) between $period_start and $period_end) as orders_visited,
        count(*) filter (where cast(activated_at as date) between $period_start and $period_end) as orders_activated
    from {{ ref('order_stages') }}
    where branch_id = any($branches)
    group by manager_id
),

----------  red channel: tickets created in the period, by the group's manager in the month created
tickets as (
    select
        manager_id,
        count(*) as tickets,
        count(*) filter (where not resolve_breached) as resolved_in_time,
        avg(satisfaction) filter (where followup_at is not null and satisfaction is not null) as satisfaction
    from {{ ref('ticket_sla') }}
    where branch_id = any($branches)
      and cast(created_at as date) between $period_start and $period_end
      and manager_id is not null
    group by manager_id
),

----------  one row per manager with a book, with the five score components
components as (
    select
        m.manager_id, m.manager_name, m.branch_id, m.star_level, m.employment,
        b."groups", b.groups_a, b.groups_b, b.groups_c, b.members, b.avg_members, b.fitting_groups,
        cast(coalesce(mo.revenue, 0) as decimal(18, 2)) as revenue,
        cast(mo.revenue_prev as decimal(18, 2)) as revenue_prev,
        -- rates rounded to 9 places so that equal rates tie in the percentile ranks below
        round(cast(mo.revenue as double) / nullif(cast(mo.revenue_prev as double), 0) - 1, 9) as revenue_growth,
        round(cast(mo.revenue as double) / nullif(cast(mo.revenue_yoy_base as double), 0) - 1, 9) as revenue_yoy,
        round(cast(mo.members_left as double) / nullif(mo.members_before, 0), 9) as member_churn_rate,
        round(cast(coalesce(vs.compliant_groups, 0) as double) / b."groups", 9) as visit_compliance,
        round(cast(coalesce(ca.cared_groups, 0) as double) / b."groups", 9) as care_coverage,
        coalesce(oc.orders_visited, 0) as orders_visited,
        coalesce(oc.orders_activated, 0) as orders_activated,
        coalesce(t.tickets, 0) as tickets,
        round(cast(t.resolved_in_time as double) / nullif(t.tickets, 0), 9) as sla_resolve_compliance,
        round(t.satisfaction, 9) as satisfaction
    from book b
    join managers m on m.manager_id = b.manager_id
    left join money mo on mo.manager_id = b.manager_id
    left join visit_standard vs on vs.manager_id = b.manager_id
    left join cared ca on ca.manager_id = b.manager_id
    left join order_counts oc on oc.manager_id = b.manager_id
    left join tickets t on t.manager_id = b.manager_id
    where m.branch_id = any($branches)
),

----------  percentile rank among managers of the same star level: (worse + ½ × equal) ÷ managers
----------  with a value; ties share it, and a component that cannot be measured counts as 0.5
----------  (½ × equal is written count / 2: an integer division is a DOUBLE on DuckDB and Spark alike,
----------  where 0.5 × count would be a DECIMAL that Spark divides to 6 decimals)
ranked as (
    select
        *,
        case when revenue_growth is null then 0.5
             else (rank() over (partition by star_level order by revenue_growth asc nulls last) - 1
                   + count(*) over (partition by star_level, revenue_growth) / 2)
                  / count(revenue_growth) over (partition by star_level) end as pr_revenue_growth,
        case when member_churn_rate is null then 0.5
             else (rank() over (partition by star_level order by member_churn_rate desc nulls last) - 1
                   + count(*) over (partition by star_level, member_churn_rate) / 2)
                  / count(member_churn_rate) over (partition by star_level) end as pr_member_churn,
        case when visit_compliance is null then 0.5
             else (rank() over (partition by star_level order by visit_compliance asc nulls last) - 1
                   + count(*) over (partition by star_level, visit_compliance) / 2)
                  / count(visit_compliance) over (partition by star_level) end as pr_visit_compliance,
        case when sla_resolve_compliance is null then 0.5
             else (rank() over (partition by star_level order by sla_resolve_compliance asc nulls last) - 1
                   + count(*) over (partition by star_level, sla_resolve_compliance) / 2)
                  / count(sla_resolve_compliance) over (partition by star_level) end as pr_sla_resolution,
        case when satisfaction is null then 0.5
             else (rank() over (partition by star_level order by satisfaction asc nulls last) - 1
                   + count(*) over (partition by star_level, satisfaction) / 2)
                  / count(satisfaction) over (partition by star_level) end as pr_satisfaction
    from components
),
scored as (
    select
        *,
        100 * ($w_revenue_growth * pr_revenue_growth + $w_member_churn * pr_member_churn
               + $w_visit_compliance * pr_visit_compliance + $w_sla_resolution * pr_sla_resolution
               + $w_satisfaction * pr_satisfaction) as raw_score
    from ranked
),

----------  workload: groups in the book against the capacity of the manager's star level for the
----------  book's average members (a band holds min_members - 1 < m ≤ max_members)
with_capacity as (
    select s.*, cap.cap_low, cap.cap_high
    from scored s
    left join cfg_capacity cap
      on cap.star_level = s.star_level
     and s.avg_members > cap.min_members - 1
     and (cap.max_members is null or s.avg_members <= cap.max_members)
),
final as (
    select
        ----------  who
        manager_id, manager_name, branch_id, star_level, employment,
        ----------  book at the end of the period
        "groups", groups_a, groups_b, groups_c, members, round(avg_members, 1) as avg_members,
        revenue, revenue_prev, revenue_growth, revenue_yoy,
        ----------  loyalty and service
        member_churn_rate, visit_compliance, care_coverage, orders_visited, orders_activated,
        tickets, sla_resolve_compliance, satisfaction,
        ----------  score: percentile rank of each component among the same star level, weighted
        pr_revenue_growth, pr_member_churn, pr_visit_compliance, pr_sla_resolution, pr_satisfaction,
        round(raw_score, 2) as score,
        rank() over (partition by star_level order by round(raw_score, 9) desc) as "rank",
        count(*) over (partition by star_level) as managers_in_star,
        ----------  workload and star fit
        cap_low as capacity_low, cap_high as capacity_high,
        case when "groups" > cap_high then 'over' when "groups" < cap_low then 'under' else 'within' end
            as workload,
        cast(fitting_groups as double) / "groups" as star_fit_rate,
        "groups" - fitting_groups as misfit_groups
    from with_capacity
)
select * from final
where $manager_scope is null or manager_id = $manager_scope
order by star_level desc, "rank", manager_id
