-- grain: one row per branch × recorded class (A/B/C) among the viewer's branches: active groups and
-- their members at the end of the chosen period, and the revenue of the period (metrics.md:
-- Customers, Classes). Revenue counts every group of the branch and class billed in the period,
-- including groups that closed during it, so the rows add up to the overview's revenue.
--   groups_share / revenue_share: the row's share of all the rows' groups / revenue.
with
kpi_months as (
    select * from {{ ref('customer_months') }}
    where branch_id = any($branches)
),
span as (
    select max(month_start) as last_month
    from kpi_months
    where month_start between $period_start and $period_end
),
figures as (
    select
        k.branch_id,
        k."class",
        cast(coalesce(sum(k."groups") filter (where k.month_start = s.last_month), 0) as bigint) as "groups",
        cast(coalesce(sum(k.members) filter (where k.month_start = s.last_month), 0) as bigint) as members,
        cast(sum(k.revenue) as decimal(18, 2)) as revenue
    from kpi_months k
    cross join span s
    where k.month_start between $period_start and $period_end
    group by k.branch_id, k."class"
),
final as (
    select
        f.branch_id,
        b.branch_name,
        f."class",
        f."groups",
        f.members,
        f.revenue,
        cast(f."groups" as double) / nullif(sum(f."groups") over (), 0) as groups_share,
        cast(f.revenue as double) / nullif(sum(cast(f.revenue as double)) over (), 0) as revenue_share
    from figures f
    join branches b on b.branch_id = f.branch_id
)
select * from final
order by branch_id, "class"
