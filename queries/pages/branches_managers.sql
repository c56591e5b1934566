-- grain: one row per manager of branch $branch (in the viewer's branches) who serves at least one group
-- active at the end of the chosen period (shared/period_groups.sql): the book (groups by class,
-- members), its revenue over the period, visit compliance of the book (shared definition), and the
-- groups whose class needs more stars than the manager has.
with
book as (
    select * from {{ ref('period_groups') }}
    where manager_id is not null
      and branch_id = $branch
      and branch_id = any($branches)
),
visits as (
    select manager_id, count(*) filter (where compliant) as compliant_groups, count(*) as judged_groups
    from {{ ref('visit_compliance') }}
    where branch_id = $branch and branch_id = any($branches)
    group by manager_id
),
figures as (
    select
        manager_id,
        count(*) as "groups",
        count(*) filter (where "class" = 'A') as groups_a,
        count(*) filter (where "class" = 'B') as groups_b,
        count(*) filter (where "class" = 'C') as groups_c,
        cast(sum(active_members) as bigint) as members,
        cast(sum(revenue) as decimal(18, 2)) as revenue,
        count(*) filter (where not star_fits) as misfit_groups
    from book
    group by manager_id
),
final as (
    select
        f.manager_id, m.manager_name, m.branch_id, m.county, m.star_level, m.employment,
        f."groups", f.groups_a, f.groups_b, f.groups_c, f.members, f.revenue,
        cast(v.compliant_groups as double) / nullif(v.judged_groups, 0) as visit_compliance,
        f.misfit_groups,
        '/manager_profile?manager=' || f.manager_id as manager_profile
    from figures f
    join managers m on m.manager_id = f.manager_id
    left join visits v on v.manager_id = f.manager_id
)
select * from final
order by revenue desc, manager_id
