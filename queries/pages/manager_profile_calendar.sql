-- grain: one row per day of the period: the visits one manager ($manager_id) made that day (every
-- kind; `care` and counted kinds apart), for the visit calendar.
with
days as (
    select cast(unnest(generate_series(cast($period_start as timestamp), cast($period_end as timestamp),
                                       interval 1 day)) as date) as day
),
made as (
    select
        v.visit_date as day,
        count(*) as visits,
        count(*) filter (where v.kind in (select kind from cfg_visit_kind)) as counted_visits,
        count(*) filter (where v.kind = 'care') as care_visits,
        string_agg(distinct g.group_name, ', ' order by g.group_name) as group_names
    from visits v
    join groups g on g.group_id = v.group_id
    where v.manager_id = $manager_id
      and v.visit_date between $period_start and $period_end
      and g.branch_id = any($branches)
      and ($manager_scope is null or v.manager_id = $manager_scope)
    group by v.visit_date
),
final as (
    select
        d.day,
        isodow(d.day) as weekday,
        cast(date_trunc('week', d.day) as date) as week_start,
        coalesce(m.visits, 0) as visits,
        coalesce(m.counted_visits, 0) as counted_visits,
        coalesce(m.care_visits, 0) as care_visits,
        m.group_names
    from days d
    left join made m on m.day = d.day
)
select * from final
order by day
