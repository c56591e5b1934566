-- grain: one row per complaint ticket created on or before $as_of: its targets (by the group's
-- recorded class and the severity), elapsed hours and the breach decisions as they stand at $as_of
-- (metrics.md: Red channel). A time after $as_of has not happened yet at $as_of.
with
tickets as (
    select
        c.ticket_id, c.group_id, c.subscriber_id, c.category, c.severity, c.channel, c.satisfaction,
        c.created_at,
        case when c.first_response_at <= $as_of then c.first_response_at end as responded_at,
        case when c.resolved_at <= $as_of then c.resolved_at end as resolved_at,
        case when c.followup_at <= $as_of then c.followup_at end as followup_at,
        g.branch_id, g."class", gm.manager_id
    from complaints c
    join groups g on g.group_id = c.group_id
    left join group_months gm
      on gm.group_id = c.group_id and gm.month_start = cast(date_trunc('month', c.created_at) as date)
    where c.created_at <= $as_of
),
timed as (
    select
        t.*,
        s.response_hours as response_target_h,
        s.resolve_hours as resolve_target_h,
        cast($followup_hours as double) as followup_target_h,
        date_diff('second', t.created_at, coalesce(t.responded_at, $as_of)) / 3600.0 as response_h,
        date_diff('second', t.created_at, coalesce(t.resolved_at, $as_of)) / 3600.0 as resolve_h,
        case when t.resolved_at is not null
             then date_diff('second', t.resolved_at, coalesce(t.followup_at, $as_of)) / 3600.0 end as followup_h
    from tickets t
    join cfg_sla_target s on s."class" = t."class" and s.severity = t.severity
),
final as (
    select
        *,
        response_h > response_target_h as response_breached,
        resolve_h > resolve_target_h as resolve_breached,
        coalesce(followup_h > followup_target_h, false) as followup_breached,
        resolved_at is null as is_open
    from timed
)
select * from final
