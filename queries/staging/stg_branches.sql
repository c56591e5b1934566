-- grain: one row per branch row read from the branches export files; `_failure` names the first
-- rule the row breaks (NULL when it breaks none).
-- `_row` is the row as exported (text cells, file, line), kept for the rows set aside.
with
source as ( select * from raw_branches ),
typed as (
    select
        _file, _line, _row,
        ----------  ids
        kam_text(branch_id) as branch_id,
        ----------  attributes
        kam_text(branch_name) as branch_name,
        kam_mgmt_model(mgmt_model) as mgmt_model,
        ----------  rules
        coalesce(
            kam_cell('branch_id', branch_id, kam_text(branch_id), true, 'required'),
            kam_cell('branch_name', branch_name, kam_text(branch_name), true, 'required'),
            kam_cell('mgmt_model', mgmt_model, kam_mgmt_model(mgmt_model), false, 'bad_enum')
        ) as _failure
    from source
),
final as ( select * from typed )
select * from final
