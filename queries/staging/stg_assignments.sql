-- grain: one row per assignment row read from the manager-change exports; `_failure` names the
-- first rule the row breaks (NULL when it breaks none).
-- `_row` is the row as exported (text cells, file, line), kept for the rows set aside.
with
source as ( select * from raw_assignments ),
typed as (
    select
        _file, _line, _row,
        ----------  ids
        kam_text(group_id) as group_id,
        kam_text(manager_id) as manager_id,
        ----------  dates
        kam_date(start_date) as start_date,
        kam_date(end_date) as end_date,
        ----------  rules
        coalesce(
            kam_cell('group_id', group_id, kam_text(group_id), true, 'required'),
            kam_cell('manager_id', manager_id, kam_text(manager_id), true, 'required'),
            kam_cell('start_date', start_date, kam_date(start_date), true, 'bad_date'),
            kam_cell('end_date', end_date, kam_date(end_date), false, 'bad_date'),
            kam_rule('end_date', 'time_order', end_date,
                     kam_date(end_date) is null or kam_date(end_date) >= kam_date(start_date))
        ) as _failure
    from source
),
final as ( select * from typed )
select * from final
