-- grain: one row per class (A, B, C): the province total of the staffing table over the branches in
-- the viewer's scope. Managers serve within a branch, so the needed range is the sum of the branches'
-- ranges (not recomputed from the province average); the gap compares the summed current managers
-- with that summed range. The managers short and surplus are the sums of the branches' (a surplus in
-- one branch does not fill a shortfall in another), both positive.
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
        cast(sum(short_managers) as bigint) as short_managers,
        cast(sum(surplus_managers) as bigint) as surplus_managers
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
        short_managers, surplus_managers
    from summed
)
select * from final
order by "class"
