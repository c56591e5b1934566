-- grain: one row per starting state (suggested class A/B/C at the end of the previous period, or
-- 'new' for a group not active then) among the viewer's branches: how many groups are in each
-- state now (suggested class A/B/C at the end of the chosen period, or 'churned' when no longer
-- active) (metrics.md: Class migration; suggested class: queries/shared/suggested_class.sql).
-- "End of a period" is its last month with data; a group active at neither end is not counted.
-- Empty when the previous period has no month with data.
with
ends as (
    select
        (select max(month_start) from group_fee_months
          where month_start between $prev_start and $prev_end) as before_month,
        (select max(month_start) from group_fee_months
          where month_start between $period_start and $period_end) as now_month
),
states as (
    select
        gm.group_id,
        max(case when gm.month_start = e.before_month and gm.is_active then s.suggested_class end) as before_class,
        max(case when gm.month_start = e.now_month and gm.is_active then s.suggested_class end) as now_class
    from group_months gm
    cross join ends e
    left join {{ ref('suggested_class') }} s on s.group_id = gm.group_id and s.month_start = gm.month_start
    where gm.month_start in (e.before_month, e.now_month)
      and gm.branch_id = any($branches)
      and e.before_month is not null
    group by gm.group_id
),
moves as (
    select coalesce(before_class, 'new') as from_class, coalesce(now_class, 'churned') as to_class
    from states
    where before_class is not null or now_class is not null
),
starts as (
    select 'A' as from_class, 1 as ord union all select 'B', 2 union all select 'C', 3 union all select 'new', 4
),
final as (
    select
        r.ord,
        r.from_class,
        count(*) filter (where m.to_class = 'A') as to_a,
        count(*) filter (where m.to_class = 'B') as to_b,
        count(*) filter (where m.to_class = 'C') as to_c,
        count(*) filter (where m.to_class = 'churned') as to_churned,
        count(m.to_class) as total
    from starts r
    left join moves m on m.from_class = r.from_class
    where (select before_month from ends) is not null
    group by r.ord, r.from_class
)
select from_class, to_a, to_b, to_c, to_churned, total from final
order by ord
