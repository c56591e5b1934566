-- grain: one row per recorded class (A/B/C) among the viewer's branches, at the end of the chosen
-- period (shared/period_groups.sql): active groups, those with a manager, those whose manager has the
-- stars the class needs (A 3, B 2, C 1), the misfits, the unassigned groups counted on their own, and
-- the fit rate = fitting ÷ with a manager (metrics.md: Star fit).
with
book as (
    select "class", manager_id, star_fits from {{ ref('period_groups') }}
    where branch_id = any($branches)
),
classes as (
    select 'A' as "class", 3 as star_needed union all select 'B', 2 union all select 'C', 1
),
final as (
    select
        c."class",
        c.star_needed,
        count(b."class") as "groups",
        count(b.manager_id) as with_manager,
        count(*) filter (where b.star_fits) as fitting_groups,
        count(*) filter (where b.manager_id is not null and not b.star_fits) as misfit_groups,
        count(*) filter (where b."class" is not null and b.manager_id is null) as unassigned_groups,
        cast(count(*) filter (where b.star_fits) as double) / nullif(count(b.manager_id), 0) as star_fit_rate
    from classes c
    left join book b on b."class" = c."class"
    group by c."class", c.star_needed
)
select * from final
order by "class"
