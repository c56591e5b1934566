-- grain: one row per member row read from the members export files; `_failure` names the first
-- rule the row breaks (NULL when it breaks none).
-- `_row` is the row as exported (text cells, file, line), kept for the rows set aside.
with
source as ( select * from raw_members ),
typed as (
    select
        _file, _line, _row,
        ----------  ids
        kam_text(subscriber_id) as subscriber_id,
        kam_text(group_id) as group_id,
        ----------  attributes
        kam_vip_tier(vip_tier) as vip_tier,
        ----------  dates
        kam_date(join_date) as join_date,
        kam_date(leave_date) as leave_date,
        ----------  rules
        coalesce(
            kam_cell('subscriber_id', subscriber_id, kam_text(subscriber_id), true, 'required'),
            kam_cell('group_id', group_id, kam_text(group_id), true, 'required'),
            kam_cell('vip_tier', vip_tier, kam_vip_tier(vip_tier), false, 'bad_enum'),
            kam_cell('join_date', join_date, kam_date(join_date), true, 'bad_date'),
            kam_cell('leave_date', leave_date, kam_date(leave_date), false, 'bad_date'),
            kam_rule('leave_date', 'time_order', leave_date,
                     kam_date(leave_date) is null or kam_date(leave_date) >= kam_date(join_date))
        ) as _failure
    from source
),
final as ( select * from typed )
select * from final
