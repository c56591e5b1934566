-- grain: one row per class with active groups at the end of the period (all the viewer's branches):
-- visit compliance and care coverage (metrics.md: Visit standard, Care coverage).
with
judged as (
    select * from {{ ref('visit_care') }}
),
final as (
    select
        j."class",
        count(*) as "groups",
        count(*) filter (where j.compliant) as compliant_groups,
        cast(count(*) filter (where j.compliant) as double) / count(*) as visit_compliance,
        min(j.required_visits) as required_visits,
        cast(sum(j.visits) as bigint) as visits,
        count(*) filter (where j.cared) as cared_groups,
        cast(count(*) filter (where j.cared) as double) / count(*) as care_coverage
    from judged j
    group by j."class"
)
select * from final
order by "class"
