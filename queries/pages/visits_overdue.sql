-- grain: one row per group active at the end of the period whose last counted visit (by the end of
-- the period, or the as-of time if earlier) is older than its class's visit interval: 30 ÷ visits a
-- month (A 15 days, B 30) or 90 ÷ visits a quarter (C 90 days); never-visited groups first, then the
-- longest since a visit (metrics.md: Visit standard).
with
as_of_day as (
    select least($period_end, cast($as_of as date)) as day
),
book as (
    select gm.group_id, gm.branch_id, gm.manager_id, gm."class"
    from group_months gm
    where gm.month_start = $period_last_month
      and gm.is_active
      and gm.branch_id = any($branches)
      and ($manager_scope is null or gm.manager_id = $manager_scope)
),
last_visit as (
    select v.group_id, max(v.visit_date) as last_visit_date
    from visits v, as_of_day d
    where v.visit_date <= d.day
      and v.kind in (select kind from cfg_visit_kind)
    group by v.group_id
),
judged as (
    select
        b.*, lv.last_visit_date, d.day as as_of_date,
        case when s.per_month is not null then 30.0 / s.per_month else 90.0 / s.per_quarter end
            as interval_days,
        date_diff('day', lv.last_visit_date, d.day) as days_since_visit
    from book b
    cross join as_of_day d
    join cfg_visit_standard s on s."class" = b."class"
    left join last_visit lv on lv.group_id = b.group_id
),
final as (
    select
        j.group_id, g.group_name, j.branch_id, j."class", j.manager_id, m.manager_name,
        j.last_visit_date, j.days_since_visit, j.interval_days,
        j.days_since_visit - j.interval_days as days_overdue
    from judged j
    join groups g on g.group_id = j.group_id
    left join managers m on m.manager_id = j.manager_id
    where j.last_visit_date is null or j.days_since_visit > j.interval_days
)
select * from final
order by last_visit_date nulls first, group_id
