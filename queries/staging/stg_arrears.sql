-- grain: one row per arrears row read from the receivables (欠费) exports: a group's bill month with
-- money still owed or paid late; `_failure` names the first rule the row breaks (NULL when it breaks
-- none). The amounts must hold 0 ≤ amount_paid ≤ amount_due.
-- `_row` is the row as exported (text cells, file, line), kept for the rows set aside.
with
source as ( select * from raw_arrears ),
typed as (
    select
        _file, _line, _row,
        ----------  ids
        kam_month(bill_month) as bill_month,
        kam_text(group_id) as group_id,
        ----------  money
        kam_amount(amount_due) as amount_due,
        kam_amount(amount_paid) as amount_paid,
        kam_date(last_paid_date) as last_paid_date,
        ----------  text as exported, for the rules
        source.bill_month as raw_bill_month,
        source.group_id as raw_group_id,
        source.amount_due as raw_amount_due,
        source.amount_paid as raw_amount_paid,
        source.last_paid_date as raw_last_paid_date
    from source
),
checked as (
    select
        _file, _line, _row, bill_month, group_id, amount_due, amount_paid, last_paid_date,
        ----------  rules
        coalesce(
            kam_cell('bill_month', raw_bill_month, bill_month, true, 'bad_month'),
            kam_cell('group_id', raw_group_id, group_id, true, 'required'),
            kam_cell('amount_due', raw_amount_due, amount_due, true, 'bad_amount'),
            kam_rule('amount_due', 'out_of_range', raw_amount_due, amount_due >= 0),
            kam_cell('amount_paid', raw_amount_paid, amount_paid, true, 'bad_amount'),
            kam_rule('amount_paid', 'out_of_range', raw_amount_paid, amount_paid between 0 and amount_due),
            kam_cell('last_paid_date', raw_last_paid_date, last_paid_date, false, 'bad_date')
        ) as _failure
    from typed
),
final as ( select * from checked )
select * from final
