-- grain: one row per group active at the end of the period in the viewer's scope ($branches,
-- $manager_scope): its visit compliance (shared/visit_compliance) and `cared`, whether it had a
-- `care` visit from the start of the period's last quarter to the end of the period
-- (metrics.md: Visit standard, Care coverage). Every visit figure by class, branch or manager
-- starts from here.
with
judged as (
    select *
    from {{ ref('visit_compliance') }}
    where branch_id = any($branches)
      and ($manager_scope is null or manager_id = $manager_scope)
),
quarter as (
    select quarter_start from calendar_months where month_start = $period_last_month
),
cared as (
    select distinct v.group_id
    from visits v, quarter q
    where v.kind = 'care'
      and v.visit_date between q.quarter_start and $period_end
),
final as (
    select j.*, c.group_id is not null as cared
    from judged j
    left join cared c on c.group_id = j.group_id
)
select * from final
