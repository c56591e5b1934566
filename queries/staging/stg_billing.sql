-- grain: one row per billing row read from the BOSS bill exports; `_failure` names the first
-- rule the row breaks (NULL when it breaks none). `_row` is the row as exported (text cells, file,
-- line), kept for the rows set aside. Each cell is parsed once, in `typed`; `checked` only looks at
-- the parsed values, as this model runs for every one of a province's tens of millions of bill rows.
with
source as ( select * from raw_billing ),
typed as (
    select
        _file, _line, _row,
        ----------  ids
        kam_month(bill_month) as bill_month,
        kam_text(group_id) as group_id,
        kam_text(subscriber_id) as subscriber_id,
        ----------  fee
        kam_fee_item(fee_item) as fee_item,
        kam_amount(amount) as amount,
        ----------  text as exported, for the rules
        source.bill_month as raw_bill_month,
        source.group_id as raw_group_id,
        source.fee_item as raw_fee_item,
        source.amount as raw_amount
    from source
),
checked as (
    select
        ----------  ids
        _file, _line, _row, bill_month, group_id, subscriber_id,
        ----------  fee
        fee_item, amount,
        ----------  rules
        coalesce(
            kam_cell('bill_month', raw_bill_month, bill_month, true, 'bad_month'),
            kam_cell('group_id', raw_group_id, group_id, true, 'required'),
            kam_cell('fee_item', raw_fee_item, fee_item, true, 'bad_enum'),
            kam_cell('amount', raw_amount, amount, true, 'bad_amount')
        ) as _failure
    from typed
),
final as ( select * from checked )
select * from final
