-- grain: one row per billing row read from the BOSS bill exports; `_failure` names the first
-- rule the row breaks (NULL when it breaks none).
with
source as ( select * from raw_billing ),
typed as (
    select
        _file, _line,
        ----------  ids
        kam_month(bill_month) as bill_month,
        kam_text(group_id) as group_id,
        kam_text(subscriber_id) as subscriber_id,
        ----------  fee
        kam_fee_item(fee_item) as fee_item,
        kam_amount(amount) as amount,
        ----------  rules
        kam_first_failure([
            kam_cell('bill_month', bill_month, kam_month(bill_month), true, 'bad_month'),
            kam_cell('group_id', group_id, kam_text(group_id), true, 'required'),
            kam_cell('fee_item', fee_item, kam_fee_item(fee_item), true, 'bad_enum'),
            kam_cell('amount', amount, kam_amount(amount), true, 'bad_amount')
        ]) as _failure
    from source
),
final as ( select * from typed )
select * from final
