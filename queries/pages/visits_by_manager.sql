-- grain: one row per manager with a book at the end of the period: visit compliance of the book
-- (compliant groups ÷ groups in the book), by class, and the visits the manager made in the period
-- (metrics.md: Visit standard). Unassigned groups are one row with an empty manager.
with
judged as (
    select * from {{ ref('visit_care') }}
),
made as (
    select v.manager_id, count(*) as visits_made
    from visits v
    join groups g on g.group_id = v.group_id
    where v.visit_date between $period_start and $period_end
      and v.kind in (select kind from cfg_visit_kind)
      and g.branch_id = any($branches)
    group by v.manager_id
),
final as (
    select
        j.manager_id, m.manager_name, m.branch_id, m.star_level,
        count(*) as "groups",
        count(*) filter (where j.compliant) as compliant_groups,
        cast(count(*) filter (where j.compliant) as double) / count(*) as visit_compliance,
        cast(count(*) filter (where j.compliant and j."class" = 'A') as double)
            / nullif(count(*) filter (where j."class" = 'A'), 0) as visit_compliance_a,
        cast(count(*) filter (where j.compliant and j."class" = 'B') as double)
            / nullif(count(*) filter (where j."class" = 'B'), 0) as visit_compliance_b,
        cast(count(*) filter (where j.compliant and j."class" = 'C') as double)
            / nullif(count(*) filter (where j."class" = 'C'), 0) as visit_compliance_c,
        coalesce(max(md.visits_made), 0) as visits_made
    from judged j
    left join managers m on m.manager_id = j.manager_id
    left join made md on md.manager_id = j.manager_id
    group by j.manager_id, m.manager_name, m.branch_id, m.star_level
)
select * from final
order by visit_compliance, manager_id nulls first
