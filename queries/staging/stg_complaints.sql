-- grain: one row per ticket row read from the complaint (red channel) exports; `_failure` names the
-- first rule the row breaks (NULL when it breaks none). No time is before created_at, and a
-- follow-up is never before the resolution.
-- `_row` is the row as exported (text cells, file, line), kept for the rows set aside.
with
source as ( select * from raw_complaints ),
typed as (
    select
        _file, _line, _row,
        kam_text(ticket_id) as ticket_id,
        kam_text(group_id) as group_id,
        kam_text(subscriber_id) as subscriber_id,
        kam_category(category) as category,
        kam_severity(severity) as severity,
        kam_channel(channel) as channel,
        kam_timestamp(created_at) as created_at,
        kam_timestamp(first_response_at) as first_response_at,
        kam_timestamp(resolved_at) as resolved_at,
        kam_timestamp(followup_at) as followup_at,
        kam_int(satisfaction) as satisfaction,
        source.ticket_id as raw_ticket_id,
        source.group_id as raw_group_id,
        source.category as raw_category,
        source.severity as raw_severity,
        source.channel as raw_channel,
        source.created_at as raw_created_at,
        source.first_response_at as raw_first_response_at,
        source.resolved_at as raw_resolved_at,
        source.followup_at as raw_followup_at,
        source.satisfaction as raw_satisfaction
    from source
),
checked as (
    select
        ----------  ids
        _file, _line, _row, ticket_id, group_id, subscriber_id,
        ----------  ticket
        category, severity, channel,
        ----------  times
        created_at, first_response_at, resolved_at, followup_at,
        ----------  outcome
        satisfaction,
        ----------  rules
        coalesce(
            kam_cell('ticket_id', raw_ticket_id, ticket_id, true, 'required'),
            kam_cell('group_id', raw_group_id, group_id, true, 'required'),
            kam_cell('category', raw_category, category, true, 'bad_enum'),
            kam_cell('severity', raw_severity, severity, true, 'bad_number'),
            kam_rule('severity', 'out_of_range', raw_severity, severity between 1 and 3),
            kam_cell('channel', raw_channel, channel, false, 'bad_enum'),
            kam_cell('created_at', raw_created_at, created_at, true, 'bad_timestamp'),
            kam_cell('first_response_at', raw_first_response_at, first_response_at, false, 'bad_timestamp'),
            kam_cell('resolved_at', raw_resolved_at, resolved_at, false, 'bad_timestamp'),
            kam_cell('followup_at', raw_followup_at, followup_at, false, 'bad_timestamp'),
            kam_cell('satisfaction', raw_satisfaction, satisfaction, false, 'bad_number'),
            kam_rule('satisfaction', 'out_of_range', raw_satisfaction,
                     satisfaction is null or satisfaction between 1 and 5),
            kam_rule('first_response_at', 'time_order', raw_first_response_at,
                     first_response_at is null or first_response_at >= created_at),
            kam_rule('resolved_at', 'time_order', raw_resolved_at,
                     resolved_at is null or resolved_at >= created_at),
            kam_rule('followup_at', 'time_order', raw_followup_at,
                     followup_at is null or (followup_at >= created_at
                                             and (resolved_at is null or followup_at >= resolved_at)))
        ) as _failure
    from typed
),
final as ( select * from checked )
select * from final
