-- grain: one row per target row read from the targets exports (the province's plan); `_failure`
-- names the first rule the row breaks (NULL when it breaks none). `period` is the month '2026-06' or
-- the quarter '2026-Q3' whatever form it was written in, so a target written twice supersedes.
-- `_row` is the row as exported (text cells, file, line), kept for the rows set aside.
with
source as ( select * from raw_targets ),
typed as (
    select
        _file, _line, _row,
        ----------  ids
        kam_period(period) as period,
        kam_text(branch_id) as branch_id,
        kam_kpi(kpi) as kpi,
        ----------  the target
        kam_target_value(target) as target,
        ----------  text as exported, for the rules
        source.period as raw_period,
        source.kpi as raw_kpi,
        source.target as raw_target
    from source
),
checked as (
    select
        _file, _line, _row, period, branch_id, kpi, target,
        ----------  rules
        coalesce(
            kam_cell('period', raw_period, period, true, 'bad_period'),
            kam_cell('kpi', raw_kpi, kpi, true, 'bad_enum'),
            kam_cell('target', raw_target, target, true, 'bad_number'),
            -- a percentage is a rate: it is no target for money or a count
            kam_rule('target', 'bad_number', raw_target, kam_is_rate_kpi(kpi) or kam_percent(raw_target) is null),
            kam_rule('target', 'out_of_range', raw_target, not kam_is_rate_kpi(kpi) or target between 0 and 1)
        ) as _failure
    from typed
),
final as ( select * from checked )
select * from final
