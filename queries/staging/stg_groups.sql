-- grain: one row per group row read from the groups export files; `_failure` names the first
-- rule the row breaks (NULL when it breaks none).
-- `_row` is the row as exported (text cells, file, line), kept for the rows set aside.
with
source as ( select * from raw_groups ),
typed as (
    select
        _file, _line, _row,
        ----------  ids
        kam_text(group_id) as group_id,
        kam_text(branch_id) as branch_id,
        kam_text(manager_id) as manager_id,
        ----------  attributes
        kam_text(group_name) as group_name,
        kam_text(industry) as industry,
        kam_sector(sector) as sector,
        kam_class("class") as "class",
        kam_text(county) as county,
        ----------  dates
        kam_date(open_date) as open_date,
        kam_date(close_date) as close_date,
        ----------  rules
        coalesce(
            kam_cell('group_id', group_id, kam_text(group_id), true, 'required'),
            kam_cell('group_name', group_name, kam_text(group_name), true, 'required'),
            kam_cell('branch_id', branch_id, kam_text(branch_id), true, 'required'),
            kam_cell('sector', sector, kam_sector(sector), false, 'bad_enum'),
            kam_cell('class', "class", kam_class("class"), true, 'bad_enum'),
            kam_cell('open_date', open_date, kam_date(open_date), false, 'bad_date'),
            kam_cell('close_date', close_date, kam_date(close_date), false, 'bad_date'),
            kam_rule('close_date', 'time_order', close_date,
                     kam_date(close_date) is null or kam_date(open_date) is null
                     or kam_date(close_date) >= kam_date(open_date))
        ) as _failure
    from source
),
final as ( select * from typed )
select * from final
