-- grain: one row per period × group active at the end of that period's last month (the month of its
-- end): the visits that count (kinds in the settings' cfg_visit_kind: visit and care by default) in
-- its window against the visit standard of its class (metrics.md: Visit standard). The single
-- definition of visit compliance; shared/visit_compliance is its 'current' rows.
--   period_kind 'current'  the chosen period ($period_start … $period_end),
--               'previous' the period before it ($prev_start … $prev_end),
--               'year_ago' the same period a year earlier ($yoy_start … $yoy_end),
--               each $period_months long (1 or 3);
--               'month'    every calendar month, judged as a month (for monthly trends; period_start
--                          tells which).
--   A month judges A and B on that month and C on the three months ending with it; a quarter judges
--   every class on the quarter. manager_id is the group's manager at the end of the period (its
--   book); the visits count whoever made them. A period outside the calendar (before the first
--   bill month) has no rows; whether a period is complete enough to compare is the caller's rule
--   (shared/period_kpis leaves out periods with a month without billing).
with
periods as (
    select 'current' as period_kind, cast($period_start as date) as period_start,
           cast($period_end as date) as period_end, cast($period_months as integer) as period_months
    union all
    select 'previous', cast($prev_start as date), cast($prev_end as date), cast($period_months as integer)
    union all
    select 'year_ago', cast($yoy_start as date), cast($yoy_end as date), cast($period_months as integer)
    union all
    select 'month', month_start, month_end, 1
    from calendar_months
),
period_ends as (
    -- a period's book is the one at the end of its last month, the month of its end
    select p.*, cast(date_trunc('month', p.period_end) as date) as last_month
    from periods p
),
book as (
    select p.period_kind, p.period_start, p.period_end, p.period_months,
           gm.group_id, gm.branch_id, gm.manager_id, gm."class"
    from period_ends p
    join group_months gm
      on gm.month_start = p.last_month
     and gm.is_active
),
standard as (
    select
        b.*,
        case when b.period_months = 1 and s.per_month is not null then s.per_month
             else s.per_quarter end as required_visits,
        case when b.period_months = 1 and s.per_month is null
             then cast(b.period_start - interval 2 month as date)
             else b.period_start end as window_start
    from book b
    join cfg_visit_standard s on s."class" = b."class"
),
counted_visits as (
    select visit_id, group_id, visit_date
    from visits
    where kind in (select kind from cfg_visit_kind)
),
final as (
    -- one pass over the book (no second reference to it), so a caller's filters on period_kind,
    -- manager_id or branch_id reach the book before the visits are counted
    select
        s.period_kind, s.period_start, s.period_end,
        s.group_id, s.branch_id, s.manager_id, s."class", s.window_start, s.required_visits,
        count(v.visit_id) as visits,
        count(v.visit_id) >= s.required_visits as compliant
    from standard s
    left join counted_visits v
      on v.group_id = s.group_id
     and v.visit_date between s.window_start and s.period_end
    group by s.period_kind, s.period_start, s.period_end,
             s.group_id, s.branch_id, s.manager_id, s."class", s.window_start, s.required_visits
)
select * from final
