-- grain: one row per class (A, B, C): the province total of the staffing table over the branches in
-- the viewer's scope. Managers serve within a branch, so the needed range is the sum of the branches'
-- ranges (not recomputed from the province average); the gap compares the summed current managers
-- with that summed range.
with
needs as (
    select * from {{ ref('staffing_needs') }}
    where branch_id = any($branches)
),
summed as (
    select
        "class", star_level,
        cast(sum(groups) as bigint) as groups,
        cast(sum(members) as bigint) as members,
        cast(sum(required_low) as bigint) as required_low,
        cast(sum(required_high) as bigint) as required_high,
        cast(sum(current) as bigint) as current,
        cast(sum(case when gap = 'short' then -gap_managers else 0 end) as bigint) as short_managers,
        cast(sum(case when gap = 'surplus' then gap_managers else 0 end) as bigint) as surplus_managers
    from needs
    group by all
),
final as (
    select
        "class", star_level, groups,
        round(case when groups > 0 then cast(members as double) / groups end, 2) as avg_members,
        required_low, required_high, current,
        case when current < required_low then 'short'
             when current > required_high then 'surplus'
             else 'within' end as gap,
        case when current < required_low then current - required_low
             when current > required_high then current - required_high
             else 0 end as gap_managers,
        short_managers, surplus_managers
    from summed
)
select * from final
order by "class"
