-- grain: one row per group × bill_month × fee_item with billing rows: the revenue of that fee item.
with
final as (
    select group_id, bill_month as month_start, fee_item, sum(amount) as revenue, count(*) as bill_rows
    from billing
    group by all
)
select * from final
