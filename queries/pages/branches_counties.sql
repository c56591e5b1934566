-- grain: one row per county (区县) of branch $branch among the viewer's branches, and one for its groups
-- without a county (county NULL): the groups active at the end of the chosen period there
-- (shared/period_groups.sql), their members and revenue, and the managers whose own county it is.
-- Empty when the exports carry no county.
with
book as (
    select p.*, g.county
    from {{ ref('period_groups') }} p
    join groups g on g.group_id = p.group_id
    where p.branch_id = $branch and p.branch_id = any($branches)
),
staff as (
    select county, count(*) as managers
    from managers
    where branch_id = $branch and branch_id = any($branches) and county is not null
    group by county
),
figures as (
    select county, count(*) as "groups", cast(sum(active_members) as bigint) as members,
           cast(sum(revenue) as decimal(18, 2)) as revenue
    from book
    group by county
),
final as (
    select coalesce(f.county, s.county) as county, coalesce(f."groups", 0) as "groups",
           coalesce(f.members, 0) as members, cast(coalesce(f.revenue, 0) as decimal(18, 2)) as revenue,
           coalesce(s.managers, 0) as managers
    from figures f
    full outer join staff s on s.county = f.county
    where exists (select 1 from groups g where g.county is not null and g.branch_id = $branch)
       or exists (select 1 from managers m where m.county is not null and m.branch_id = $branch)
)
select * from final
order by county nulls last
