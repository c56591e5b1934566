-- grain: one row per group active at the end of the chosen period in the viewer's branches
-- (shared/period_groups.sql): recorded against suggested class (shared/suggested_class.sql) and the
-- move it suggests: 'upgrade' (suggested above recorded), 'downgrade' (below) or 'keep'.
with
final as (
    select
        a.group_id,
        g.group_name,
        a.branch_id,
        a.manager_id,
        a."class",
        s.suggested_class,
        s.avg_revenue_3m,
        s.months_counted,
        case when s.suggested_class < a."class" then 'upgrade'
             when s.suggested_class > a."class" then 'downgrade'
             else 'keep' end as class_move,
        '/group_profile?group=' || a.group_id as profile
    from {{ ref('period_groups') }} a
    join groups g on g.group_id = a.group_id
    join {{ ref('suggested_class') }} s on s.group_id = a.group_id and s.month_start = a.month_start
    where a.branch_id = any($branches)
)
select * from final
order by class_move, avg_revenue_3m desc, group_id
