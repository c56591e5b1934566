-- grain: one row per branch × class (A, B, C) in the viewer's scope: active groups at the end of the
-- period, average active members, capacity range, managers needed (range), managers of the class's
-- star level employed at the as-of time, and the gap: short / within / surplus and the managers short of the
-- range or beyond it, both positive (metrics.md: Staffing; queries/shared/staffing_needs.sql).
with
needs as (
    select * from {{ ref('staffing_needs') }}
),
final as (
    select
        branch_id, branch_name, "class", star_level,
        groups,
        round(avg_members, 2) as avg_members,
        capacity_low, capacity_high,
        required_low, required_high,
        current, gap, short_managers, surplus_managers
    from needs
    where branch_id = any($branches)
)
select * from final
order by branch_id, "class"
