-- grain: one row per visit to the group $group_id (when the viewer may see it:
-- branch_id = any($branches)), newest first, with whether its kind counts for the visit standard.
with
grp as (
    select * from {{ ref('profile_group') }}
    where branch_id = any($branches)
),
final as (
    select v.visit_id, v.visit_date, v.kind, v.theme, v.manager_id, m.manager_name,
           v.kind in (select kind from cfg_visit_kind) as counts_for_standard
    from visits v
    join grp on grp.group_id = v.group_id
    left join managers m on m.manager_id = v.manager_id
)
select * from final
order by visit_date desc, visit_id
