-- grain: one row per visit row read from the visit (yellow channel) exports; `_failure` names the
-- first rule the row breaks (NULL when it breaks none).
-- `_row` is the row as exported (text cells, file, line), kept for the rows set aside.
with
source as ( select * from raw_visits ),
typed as (
    select
        _file, _line, _row,
        ----------  ids
        kam_text(visit_id) as visit_id,
        kam_text(manager_id) as manager_id,
        kam_text(group_id) as group_id,
        ----------  visit
        kam_date(visit_date) as visit_date,
        kam_visit_kind(kind) as kind,
        kam_theme(theme) as theme,
        ----------  rules
        coalesce(
            kam_cell('visit_id', visit_id, kam_text(visit_id), true, 'required'),
            kam_cell('manager_id', manager_id, kam_text(manager_id), true, 'required'),
            kam_cell('group_id', group_id, kam_text(group_id), true, 'required'),
            kam_cell('visit_date', visit_date, kam_date(visit_date), true, 'bad_date'),
            kam_cell('kind', kind, kam_visit_kind(kind), true, 'bad_enum'),
            kam_cell('theme', theme, kam_theme(theme), false, 'bad_enum')
        ) as _failure
    from source
),
final as ( select * from typed )
select * from final
