-- grain: one row per manager row read from the managers export files; `_failure` names the first
-- rule the row breaks (NULL when it breaks none).
-- `_row` is the row as exported (text cells, file, line), kept for the rows set aside.
with
source as ( select * from raw_managers ),
typed as (
    select
        _file, _line, _row,
        ----------  ids
        kam_text(manager_id) as manager_id,
        kam_text(branch_id) as branch_id,
        ----------  attributes
        kam_text(manager_name) as manager_name,
        kam_star_level(star_level) as star_level,
        kam_employment(employment) as employment,
        kam_text(county) as county,
        ----------  dates
        kam_date(hire_date) as hire_date,
        kam_date(leave_date) as leave_date,
        ----------  rules
        coalesce(
            kam_cell('manager_id', manager_id, kam_text(manager_id), true, 'required'),
            kam_cell('manager_name', manager_name, kam_text(manager_name), true, 'required'),
            kam_cell('branch_id', branch_id, kam_text(branch_id), true, 'required'),
            kam_cell('star_level', star_level, kam_star_level(star_level), true, 'bad_number'),
            kam_rule('star_level', 'out_of_range', star_level, kam_star_level(star_level) between 1 and 3),
            kam_cell('employment', employment, kam_employment(employment), false, 'bad_enum'),
            kam_cell('hire_date', hire_date, kam_date(hire_date), false, 'bad_date'),
            kam_cell('leave_date', leave_date, kam_date(leave_date), false, 'bad_date'),
            kam_rule('leave_date', 'time_order', leave_date,
                     kam_date(leave_date) is null or kam_date(hire_date) is null
                     or kam_date(leave_date) >= kam_date(hire_date))
        ) as _failure
    from source
),
final as ( select * from typed )
select * from final
