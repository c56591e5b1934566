-- grain: one row per group active at the end of the period: the visits that count (kinds in the
-- settings' cfg_visit_kind: visit and care by default) in its window against the visit standard of
-- its class (metrics.md: Visit standard). A month judges A and B on that month and C on the three
-- months ending with it; a quarter judges every class on the quarter. manager_id is the group's
-- manager at the end of the period (its book); the visits count whoever made them.
-- The definition is shared/visit_compliance_periods (the chosen, previous, year-ago periods and
-- every month); this is its chosen period ('current'), with the columns every caller reads.
with
final as (
    select group_id, branch_id, manager_id, "class", window_start, required_visits, visits, compliant
    from {{ ref('visit_compliance_periods') }}
    where period_kind = 'current'
)
select * from final
