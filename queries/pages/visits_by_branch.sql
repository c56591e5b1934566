-- grain: one row per branch with active groups at the end of the period: visit compliance (compliant
-- groups ÷ its active groups) and care coverage (metrics.md: Visit standard, Care coverage).
with
judged as (
    select * from {{ ref('visit_care') }}
),
final as (
    select
        j.branch_id, b.branch_name,
        count(*) as "groups",
        count(*) filter (where j.compliant) as compliant_groups,
        cast(count(*) filter (where j.compliant) as double) / count(*) as visit_compliance,
        cast(sum(j.visits) as bigint) as visits,
        count(*) filter (where j.cared) as cared_groups,
        cast(count(*) filter (where j.cared) as double) / count(*) as care_coverage
    from judged j
    join branches b on b.branch_id = j.branch_id
    group by j.branch_id, b.branch_name
)
select * from final
order by branch_id
