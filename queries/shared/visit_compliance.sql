-- grain: one row per group active at the end of the period: the visits that count (kinds in the
-- settings' cfg_visit_kind: visit and care by default) in its window against the visit standard of
-- its class (metrics.md: Visit standard). A month judges A and B on that month and C on the three
-- months ending with it; a quarter judges every class on the quarter. manager_id is the group's
-- manager at the end of the period (its book); the visits count whoever made them.
with
book as (
    select gm.group_id, gm.branch_id, gm.manager_id, gm."class"
    from group_months gm
    where gm.month_start = $period_last_month and gm.is_active
),
standard as (
    select
        b.*,
        case when $period_months = 1 and s.per_month is not null then s.per_month
             else s.per_quarter end as required_visits,
        case when $period_months = 1 and s.per_month is null
             then cast($period_start - interval 2 month as date)
             else $period_start end as window_start
    from book b
    join cfg_visit_standard s on s."class" = b."class"
),
counted as (
    select s.group_id, count(v.visit_id) as visits
    from standard s
    join visits v
      on v.group_id = s.group_id
     and v.visit_date between s.window_start and $period_end
     and v.kind in (select kind from cfg_visit_kind)
    group by s.group_id
),
final as (
    select
        s.group_id, s.branch_id, s.manager_id, s."class", s.window_start, s.required_visits,
        coalesce(c.visits, 0) as visits,
        coalesce(c.visits, 0) >= s.required_visits as compliant
    from standard s
    left join counted c using (group_id)
)
select * from final
