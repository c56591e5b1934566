-- grain: one row per period × branch in the viewer's branches, plus one row per period for all of
-- them together (branch_id NULL): every customer-base KPI, each defined here once (metrics.md:
-- Customers, Growth, Star fit, Visit standard, Red channel). The periods: 'current' (the chosen
-- one), 'previous', 'year_ago' (left out when a month of them, or of the chosen period, is missing:
-- no billing at all) and 'month' (every month with data, for trends; period_start tells which).
--   State at the end of the period's last month with data: groups (by class too), members,
--   unassigned_groups, star_fit_rate = groups whose manager has the stars their class needs ÷
--   active groups with a manager.
--   Over the period's months: revenue (every group billed, also those that closed meanwhile);
--   arpu = revenue of active groups with members ÷ their members, per member-month (a month:
--   revenue ÷ members at its end); member_churn_rate = leavers ÷ members active at the end of the
--   month before, summed over the months (a quarter: the monthly rate over its months);
--   sla_resolve_compliance = tickets created in the period not breaching resolution ÷ tickets.
--   visit_compliance: compliant groups ÷ groups judged (active at the end of the period), from the
--   shared visit definition (shared/visit_compliance_periods) for 'current', 'previous' and
--   'year_ago', so left out with the rest of a period that misses a month; 'month' rows have none.
with
kpi_months as (
    select * from {{ ref('customer_months') }}
    where branch_id = any($branches)
),
periods as (
    select 'current' as period, cast($period_start as date) as start_day, cast($period_end as date) as end_day
    union all
    select 'previous', cast($prev_start as date), cast($prev_end as date)
    union all
    select 'year_ago', cast($yoy_start as date), cast($yoy_end as date)
    union all
    select distinct 'month', month_start, cast(month_start + interval 1 month - interval 1 day as date)
    from kpi_months
),
spans as (
    select p.period, p.start_day, min(k.month_start) as first_month, max(k.month_start) as last_month,
           count(distinct k.month_start) as months_with_data
    from periods p
    join kpi_months k on k.month_start between p.start_day and p.end_day
    group by p.period, p.start_day
    having p.period in ('current', 'month')
        or (count(distinct k.month_start) = $period_months
            -- an incomplete chosen period (a quarter with a month still to come) is compared with nothing
            and (select count(distinct month_start) from kpi_months
                  where month_start between $period_start and $period_end) = $period_months)
),
sums as (
    select
        s.period, s.start_day as period_start, s.months_with_data, k.branch_id,
        ----------  state at the end of the period
        sum(k."groups") filter (where k.month_start = s.last_month) as "groups",
        sum(k."groups") filter (where k.month_start = s.last_month and k."class" = 'A') as groups_a,
        sum(k."groups") filter (where k.month_start = s.last_month and k."class" = 'B') as groups_b,
        sum(k."groups") filter (where k.month_start = s.last_month and k."class" = 'C') as groups_c,
        sum(k.members) filter (where k.month_start = s.last_month) as members,
        sum(k.unassigned) filter (where k.month_start = s.last_month) as unassigned_groups,
        sum(k.with_manager) filter (where k.month_start = s.last_month) as with_manager,
        sum(k.star_fit) filter (where k.month_start = s.last_month) as star_fit,
        ----------  flows over the period
        sum(k.revenue) as revenue,
        sum(k.arpu_revenue) as arpu_revenue,
        sum(k.members) as member_months,
        sum(k.churned_groups) as churned_groups,
        sum(k.members_left) as members_left,
        sum(k.members_left) filter (where k.members_base is not null) as members_left_with_base,
        sum(k.members_base) as members_base,
        sum(k.tickets) as tickets,
        sum(k.tickets_resolved_in_sla) as tickets_resolved_in_sla
    from spans s
    join kpi_months k on k.month_start between s.first_month and s.last_month
    group by grouping sets ((s.period, s.start_day, s.months_with_data, k.branch_id),
                            (s.period, s.start_day, s.months_with_data))
),
visits as (
    select v.period_kind, v.branch_id,
           count(*) filter (where v.compliant) as compliant_groups,
           count(*) as judged_groups
    from {{ ref('visit_compliance_periods') }} v
    where v.branch_id = any($branches)
      and v.period_kind in ('current', 'previous', 'year_ago')
    group by grouping sets ((v.period_kind, v.branch_id), (v.period_kind))
),
final as (
    select
        s.period,
        s.period_start,
        s.months_with_data,
        s.branch_id,
        ----------  state at the end of the period
        cast(coalesce(s."groups", 0) as bigint) as "groups",
        cast(coalesce(s.groups_a, 0) as bigint) as groups_a,
        cast(coalesce(s.groups_b, 0) as bigint) as groups_b,
        cast(coalesce(s.groups_c, 0) as bigint) as groups_c,
        cast(coalesce(s.members, 0) as bigint) as members,
        cast(coalesce(s.unassigned_groups, 0) as bigint) as unassigned_groups,
        cast(s.star_fit as double) / nullif(s.with_manager, 0) as star_fit_rate,
        ----------  flows over the period
        cast(s.revenue as decimal(18, 2)) as revenue,
        round(cast(s.arpu_revenue as double) / nullif(s.member_months, 0), 2) as arpu,
        cast(s.churned_groups as bigint) as churned_groups,
        cast(s.members_left as bigint) as members_left,
        cast(s.members_left_with_base as double) / nullif(s.members_base, 0) as member_churn_rate,
        cast(s.tickets as bigint) as tickets,
        cast(s.tickets_resolved_in_sla as double) / nullif(s.tickets, 0) as sla_resolve_compliance,
        ----------  yellow channel: the chosen, previous and year-ago periods (none for 'month' rows)
        cast(v.compliant_groups as double) / nullif(v.judged_groups, 0) as visit_compliance
    from sums s
    left join visits v
      on v.period_kind = s.period and coalesce(v.branch_id, '') = coalesce(s.branch_id, '')
)
select * from final
