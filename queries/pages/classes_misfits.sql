-- grain: one row per group active at the end of the chosen period in the viewer's branches
-- (shared/period_groups.sql) whose manager has fewer stars than its class needs ('misfit') or that has
-- no manager ('unassigned') (metrics.md: Star fit), with the period's revenue and the overview alert
-- it raises (pages/overview_alerts.sql): 'star_misfit', 'a_unassigned' (an A group without a
-- manager), none for a B or C group without one.
with
final as (
    select
        a.group_id,
        g.group_name,
        a.branch_id,
        a."class",
        case when a.manager_id is null then 'unassigned' else 'misfit' end as fit_issue,
        a.manager_id,
        m.manager_name,
        a.manager_star as star_level,
        a.star_needed,
        a.revenue,
        case when a.manager_id is not null then 'star_misfit'
             when a."class" = 'A' then 'a_unassigned' end as alert,
        '/group_profile?group=' || a.group_id as profile
    from {{ ref('period_groups') }} a
    join groups g on g.group_id = a.group_id
    left join managers m on m.manager_id = a.manager_id
    where not a.star_fits
      and a.branch_id = any($branches)
)
select * from final
order by fit_issue, "class", revenue desc, group_id
