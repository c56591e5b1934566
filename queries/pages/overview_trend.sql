-- grain: one row per month with billing data × recorded class (A/B/C) among the viewer's branches:
-- revenue of the month (every group billed) and active groups at its end, for the revenue trend
-- (definitions: queries/shared/customer_months.sql). Months nobody exported have no row.
with
final as (
    select
        month_start,
        "class",
        cast(sum(revenue) as decimal(18, 2)) as revenue,
        cast(sum("groups") as bigint) as "groups"
    from {{ ref('customer_months') }}
    where branch_id = any($branches)
    group by month_start, "class"
)
select * from final
order by month_start, "class"
