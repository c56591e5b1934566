-- grain: zero or one row: the group $group_id when the viewer may see it: in one of the viewer's
-- branches ($branches) and, for an account manager ($manager_scope), served by them now (its
-- manager in the latest month of the data, or its recorded manager). Every group-profile query
-- starts from this row, so a group outside the viewer's scope shows nothing anywhere.
with
latest as (
    select gm.group_id, gm.manager_id
    from group_months gm
    where gm.group_id = $group_id
      and gm.month_start = (select max(month_start) from calendar_months)
),
final as (
    select g.*
    from groups g
    left join latest l on l.group_id = g.group_id
    where g.group_id = $group_id
      and g.branch_id = any($branches)
      and (cast($manager_scope as varchar) is null
           or g.manager_id = cast($manager_scope as varchar)
           or l.manager_id = cast($manager_scope as varchar))
)
select * from final
