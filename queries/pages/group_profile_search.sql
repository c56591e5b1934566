-- grain: one row per group in the viewer's branches whose id or name contains $search (case-insensitive;
-- the text is bound, never pasted), at most 200, to pick a group profile from. An account manager
-- ($manager_scope) finds the groups they serve now, as in shared/profile_group.sql.
with
latest as (
    select gm.group_id, gm.manager_id
    from group_months gm
    where gm.month_start = (select max(month_start) from calendar_months)
),
final as (
    select g.group_id, g.group_name, g.branch_id, g."class", g.close_date
    from groups g
    left join latest l on l.group_id = g.group_id
    where g.branch_id = any($branches)
      and (cast($manager_scope as varchar) is null
           or g.manager_id = cast($manager_scope as varchar)
           or l.manager_id = cast($manager_scope as varchar))
      and (strpos(lower(g.group_id), lower($search)) > 0 or strpos(lower(g.group_name), lower($search)) > 0)
)
select * from final
order by group_id
limit 200
