-- grain: one row per spell of a manager serving the group $group_id (when the viewer may see it:
-- branch_id = any($branches)): from assignments when the export has the group's history, else the
-- recorded manager over the group's life (metrics.md: a group's manager in a month).
with
grp as (
    select * from {{ ref('profile_group') }}
    where branch_id = any($branches)
),
history as (
    select a.manager_id, a.start_date, a.end_date, 'assignments' as source
    from assignments a
    join grp on grp.group_id = a.group_id
),
recorded as (
    select grp.manager_id, grp.open_date as start_date, grp.close_date as end_date, 'groups' as source
    from grp
    where grp.manager_id is not null
      and not exists (select 1 from history)
),
spells as (
    select * from history
    union all
    select * from recorded
),
final as (
    select s.manager_id, m.manager_name, m.star_level, m.employment, m.branch_id, s.start_date, s.end_date,
           s.source, '/manager_profile?manager=' || s.manager_id as manager_profile
    from spells s
    left join managers m on m.manager_id = s.manager_id
)
select * from final
order by start_date desc nulls last, manager_id
