-- grain: one row per contract row read from the contract (协议) exports; `_failure` names the first
-- rule the row breaks (NULL when it breaks none). `renewed_from` is checked against the contracts
-- themselves when the rows are settled (kam/storage/settle_rows.py).
-- `_row` is the row as exported (text cells, file, line), kept for the rows set aside.
with
source as ( select * from raw_contracts ),
typed as (
    select
        _file, _line, _row,
        ----------  ids
        kam_text(contract_id) as contract_id,
        kam_text(group_id) as group_id,
        kam_text(renewed_from) as renewed_from,
        ----------  the contract
        kam_fee_item(product) as product,
        kam_date(start_date) as start_date,
        kam_date(end_date) as end_date,
        kam_amount(monthly_value) as monthly_value,
        ----------  text as exported, for the rules
        source.contract_id as raw_contract_id,
        source.group_id as raw_group_id,
        source.product as raw_product,
        source.start_date as raw_start_date,
        source.end_date as raw_end_date,
        source.monthly_value as raw_monthly_value
    from source
),
checked as (
    select
        _file, _line, _row, contract_id, group_id, product, start_date, end_date, monthly_value, renewed_from,
        ----------  rules
        coalesce(
            kam_cell('contract_id', raw_contract_id, contract_id, true, 'required'),
            kam_cell('group_id', raw_group_id, group_id, true, 'required'),
            kam_cell('product', raw_product, product, true, 'bad_enum'),
            kam_cell('start_date', raw_start_date, start_date, true, 'bad_date'),
            kam_cell('end_date', raw_end_date, end_date, true, 'bad_date'),
            kam_cell('monthly_value', raw_monthly_value, monthly_value, false, 'bad_amount'),
            kam_rule('end_date', 'time_order', raw_end_date, end_date >= start_date)
        ) as _failure
    from typed
),
final as ( select * from checked )
select * from final
