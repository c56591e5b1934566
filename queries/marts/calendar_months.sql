-- grain: one row per calendar month from the first to the last bill_month in billing; the months
-- every monthly figure is computed for, with the neighbours used for MoM and YoY.
with
bounds as (
    select min(bill_month) as first_month, max(bill_month) as last_month from billing
),
month_series as (
    -- the cast is outside the unnest: Spark refuses a generator nested in an expression
    select unnest(generate_series(first_month, last_month, interval 1 month)) as month_start
    from bounds
    where first_month is not null
),
months as (
    select cast(month_start as date) as month_start from month_series
),
final as (
    select
        month_start,
        cast(month_start + interval 1 month - interval 1 day as date) as month_end,
        cast(month_start - interval 1 month as date) as prev_month,
        cast(month_start - interval 12 month as date) as yoy_month,
        strftime(month_start, '%Y-%m') as month_label,
        year(month_start) as year,
        quarter(month_start) as quarter,
        cast(date_trunc('quarter', month_start) as date) as quarter_start
    from months
)
select * from final
