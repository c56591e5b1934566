-- grain: one row per recorded class (A/B/C) among the viewer's branches: active groups and members at
-- the end of the chosen period, revenue of the period and each one's share of the whole selection
-- (the rows of `kam report classes` added up over branches; definitions: shared/customer_months.sql).
with
kpi_months as (
    select * from {{ ref('customer_months') }}
    where branch_id = any($branches)
      and month_start between $period_start and $period_end
),
span as (
    select max(month_start) as last_month from kpi_months
),
classes as (
    select 'A' as "class" union all select 'B' union all select 'C'
),
figures as (
    select
        c."class",
        cast(coalesce(sum(k."groups") filter (where k.month_start = s.last_month), 0) as bigint) as "groups",
        cast(coalesce(sum(k.members) filter (where k.month_start = s.last_month), 0) as bigint) as members,
        cast(coalesce(sum(k.revenue), 0) as decimal(18, 2)) as revenue
    from classes c
    cross join span s
    left join kpi_months k on k."class" = c."class"
    group by c."class"
),
final as (
    select
        f.*,
        cast(f."groups" as double) / nullif(sum(f."groups") over (), 0) as groups_share,
        cast(f.revenue as double) / nullif(sum(cast(f.revenue as double)) over (), 0) as revenue_share
    from figures f
)
select * from final
order by "class"
