-- grain: one row per recorded class and one row per branch among the viewer's branches (dimension
-- 'class' / 'branch', key = the class or branch id): revenue in the chosen period and the previous one
-- and the change, so the overview can say where the revenue moved (definitions:
-- shared/customer_months.sql). previous and change are empty where either period misses a month.
with
kpi_months as (
    select * from {{ ref('customer_months') }}
    where branch_id = any($branches)
),
coverage as (
    select
        count(distinct month_start) filter (where month_start between $period_start and $period_end) as current_months,
        count(distinct month_start) filter (where month_start between $prev_start and $prev_end) as previous_months
    from kpi_months
),
sums as (
    select
        k.branch_id,
        k."class",
        sum(k.revenue) filter (where k.month_start between $period_start and $period_end) as revenue,
        case when max(c.current_months) = $period_months and max(c.previous_months) = $period_months
             then coalesce(sum(k.revenue) filter (where k.month_start between $prev_start and $prev_end), 0)
        end as revenue_previous
    from kpi_months k
    cross join coverage c
    where k.month_start between $prev_start and $period_end
    group by grouping sets ((k.branch_id), (k."class"))
),
final as (
    select
        case when s.branch_id is null then 'class' else 'branch' end as dimension,
        coalesce(s."class", s.branch_id) as key,
        b.branch_name,
        cast(coalesce(s.revenue, 0) as decimal(18, 2)) as revenue,
        cast(s.revenue_previous as decimal(18, 2)) as revenue_previous,
        cast(coalesce(s.revenue, 0) - s.revenue_previous as decimal(18, 2)) as revenue_change
    from sums s
    left join branches b on b.branch_id = s.branch_id
)
select * from final
order by dimension desc, revenue_change, key
