-- grain: one row per quarter, the four quarters up to the period's: active groups at the end of the
-- quarter (or of the period, for the period's own quarter), groups with a `care` visit in it up to
-- then, care coverage, the quarter's theme (cfg_care_theme) and the share cared for on that theme
-- (metrics.md: Care coverage).
with
quarters as (
    select
        quarter_start, year, quarter,
        max(month_start) as last_month,
        max(month_end) as last_day
    from calendar_months
    where month_start <= $period_last_month
      and quarter_start > cast($period_last_month - interval 12 month as date)
    group by quarter_start, year, quarter
),
active as (
    select q.quarter_start, gm.group_id
    from quarters q
    join group_months gm on gm.month_start = q.last_month
    where gm.is_active
      and gm.branch_id = any($branches)
      and ($manager_scope is null or gm.manager_id = $manager_scope)
),
care as (
    select q.quarter_start, v.group_id, v.theme
    from quarters q
    join visits v on v.visit_date between q.quarter_start and q.last_day
    where v.kind = 'care'
),
final as (
    select
        q.quarter_start,
        cast(q.year as varchar) || '-Q' || cast(q.quarter as varchar) as quarter_label,
        t.theme as quarter_theme,
        count(distinct a.group_id) as "groups",
        count(distinct c.group_id) as cared_groups,
        cast(count(distinct c.group_id) as double) / nullif(count(distinct a.group_id), 0) as care_coverage,
        count(distinct case when c.theme = t.theme then c.group_id end) as on_theme_groups,
        cast(count(distinct case when c.theme = t.theme then c.group_id end) as double)
            / nullif(count(distinct a.group_id), 0) as on_theme_coverage
    from quarters q
    left join cfg_care_theme t on t.quarter = q.quarter
    left join active a on a.quarter_start = q.quarter_start
    left join care c on c.quarter_start = a.quarter_start and c.group_id = a.group_id
    group by q.quarter_start, q.year, q.quarter, t.theme
)
select * from final
order by quarter_start
