-- grain: one row per complaint ticket in the viewer's scope ($branches, $manager_scope), whenever
-- it was created, with its SLA clocks as they stand at $as_of (shared/ticket_sla) and `in_period`:
-- created from the start of $period_start to the end of $period_end (metrics.md: Red channel).
-- Every complaint figure of the SLA page and `kam report sla` starts from here.
with
final as (
    select
        t.*,
        t.created_at >= $period_start and t.created_at < cast($period_end as date) + interval 1 day
            as in_period
    from {{ ref('ticket_sla') }} t
    where t.branch_id = any($branches)
      and ($manager_scope is null or t.manager_id = $manager_scope)
)
select * from final
