-- grain: one row per branch × class with active groups at the end of the period: visit compliance
-- (groups whose counted visits reach the standard ÷ active groups) and care coverage (groups with a
-- `care` visit from the start of the quarter to the end of the period ÷ active groups)
-- (metrics.md: Visit standard, Care coverage).
with
judged as (
    select * from {{ ref('visit_care') }}
),
final as (
    select
        j.branch_id, b.branch_name, j."class",
        count(*) as "groups",
        count(*) filter (where j.compliant) as compliant_groups,
        cast(count(*) filter (where j.compliant) as double) / count(*) as visit_compliance,
        min(j.required_visits) as required_visits,
        cast(sum(j.visits) as bigint) as visits,
        count(*) filter (where j.cared) as cared_groups,
        cast(count(*) filter (where j.cared) as double) / count(*) as care_coverage
    from judged j
    join branches b on b.branch_id = j.branch_id
    group by j.branch_id, b.branch_name, j."class"
)
select * from final
order by branch_id, "class"
