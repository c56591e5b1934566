-- grain: one row per group × month with billing data in which the group is active at month end: the
-- suggested class from the trailing three months' average revenue (metrics.md: Classes).
--   The trailing three months are the month and the two calendar months before it; a month counts
--   when it has billing data and the group was active at its end (a group opened last month is
--   judged on its one month, a month nobody exported is not a zero).
--   A when the average ≥ $class_a_min, B when ≥ $class_b_min, else C; compared as
--   sum ≥ threshold × months so that an average of exactly the threshold is never lost to rounding.
with
data_months as (
    select distinct month_start from group_fee_months
),
active_months as (
    select gm.group_id, gm.month_start, gm.revenue
    from group_months gm
    join data_months d on d.month_start = gm.month_start
    where gm.is_active
),
windows as (
    select
        a.group_id,
        a.month_start,
        count(*) as months_counted,
        sum(w.revenue) as revenue_3m
    from active_months a
    join active_months w
      on w.group_id = a.group_id
     and w.month_start between cast(a.month_start - interval 2 month as date) and a.month_start
    group by a.group_id, a.month_start
),
final as (
    select
        group_id,
        month_start,
        months_counted,
        round(cast(revenue_3m as double) / months_counted, 2) as avg_revenue_3m,
        case when revenue_3m >= $class_a_min * months_counted then 'A'
             when revenue_3m >= $class_b_min * months_counted then 'B'
             else 'C' end as suggested_class
    from windows
)
select * from final
