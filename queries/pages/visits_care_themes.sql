-- grain: one row per quarter (the four up to the period's) × care theme: `care` visits to the
-- viewer's active groups and the groups they reached; `unspecified` for care visits without a theme.
with
quarters as (
    select quarter_start, year, quarter, max(month_start) as last_month, max(month_end) as last_day
    from calendar_months
    where month_start <= $period_last_month
      and quarter_start > cast($period_last_month - interval 12 month as date)
    group by quarter_start, year, quarter
),
care as (
    select q.quarter_start, q.year, q.quarter, v.group_id, coalesce(v.theme, 'unspecified') as theme, v.visit_id
    from quarters q
    join visits v on v.visit_date between q.quarter_start and q.last_day
    join group_months gm on gm.group_id = v.group_id and gm.month_start = q.last_month
    where v.kind = 'care'
      and gm.is_active
      and gm.branch_id = any($branches)
      and ($manager_scope is null or gm.manager_id = $manager_scope)
),
final as (
    select
        c.quarter_start,
        cast(c.year as varchar) || '-Q' || cast(c.quarter as varchar) as quarter_label,
        c.theme,
        coalesce(c.theme = t.theme, false) as is_quarter_theme,
        count(*) as care_visits,
        count(distinct c.group_id) as cared_groups
    from care c
    left join cfg_care_theme t on t.quarter = c.quarter
    group by c.quarter_start, c.year, c.quarter, c.theme, t.theme
)
select * from final
order by quarter_start, theme
