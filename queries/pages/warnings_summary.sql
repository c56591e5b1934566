-- grain: one row per branch, and per manager, among the viewer's (level = 'branch' / 'manager'): how
-- many warnings of each kind they hold and the money at stake in all (shared/early_warnings).
with
w as (
    select * from {{ ref('early_warnings') }}
),
by_level as (
    select 'branch' as level, branch_id, cast(null as varchar) as manager_id, kind, amount from w
    union all
    select 'manager', branch_id, manager_id, kind, amount from w
),
final as (
    select
        l.level, l.branch_id, b.branch_name, l.manager_id, m.manager_name,
        count(*) as warnings,
        count(*) filter (where l.kind = 'high_value_churn') as high_value_churn,
        count(*) filter (where l.kind = 'revenue_slide') as revenue_slide,
        count(*) filter (where l.kind = 'contract_expiry') as contract_expiry,
        count(*) filter (where l.kind = 'arrears') as arrears,
        cast(coalesce(sum(l.amount), 0) as decimal(18, 2)) as amount
    from by_level l
    left join branches b on b.branch_id = l.branch_id
    left join managers m on m.manager_id = l.manager_id
    group by l.level, l.branch_id, b.branch_name, l.manager_id, m.manager_name
)
select * from final
order by level, amount desc, branch_id, manager_id
