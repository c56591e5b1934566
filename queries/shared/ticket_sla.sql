-- grain: one row per complaint ticket created on or before $as_of: its targets (by the group's
-- recorded class and the severity), elapsed hours and the breach decisions as they stand at $as_of
-- (metrics.md: Red channel). A time after $as_of has not happened yet at $as_of.
--
-- Three clocks per ticket: response (created_at → first_response_at), resolve (created_at →
-- resolved_at) and follow-up (resolved_at → followup_at, only once resolved). A clock that has not
-- stopped by $as_of runs until $as_of. A clock breaches when its elapsed time EXCEEDS its target:
-- exactly at the target is within it.
--
-- The clock is calendar hours, or with $business_hours_enabled working hours only: the time inside
-- [$business_hours_start_s, $business_hours_end_s) (seconds after midnight) on working days (ISO weekdays in cfg_workday, minus
-- the public holidays in cfg_holiday, plus its weekend working days). Elapsed working time is
-- W(stop) - W(start), where W(t) = the working seconds from the first day of the calendar up to t:
-- the working seconds of the days before t's day plus the part of t's day's window before t.
--
-- Also per ticket: the moment each clock reaches its target (*_due_at; past it the clock breaches),
-- whether a still-running clock is at risk (elapsed ≥ $at_risk_share × target, not yet breached),
-- how an open ticket ages against its resolution target (backlog_band) and whether it repeats a
-- complaint of the same group created at most $repeat_days days before (is_repeat).
with
tickets as (
    select
        ----------  ids
        c.ticket_id, c.group_id, c.subscriber_id,
        ----------  ticket
        c.category, c.severity, c.channel, c.satisfaction,
        ----------  times, as known at $as_of
        c.created_at,
        case when c.first_response_at <= $as_of then c.first_response_at end as responded_at,
        case when c.resolved_at <= $as_of then c.resolved_at end as resolved_at,
        case when c.followup_at <= $as_of then c.followup_at end as followup_at,
        ----------  who: the group's branch and class, the manager serving it in the month of the ticket
        -- (group_months, assignments rule); outside the billed months, the group's recorded manager
        g.branch_id, g."class", coalesce(gm.manager_id, g.manager_id) as manager_id
    from complaints c
    join groups g on g.group_id = c.group_id
    left join group_months gm
      on gm.group_id = c.group_id and gm.month_start = cast(date_trunc('month', c.created_at) as date)
    where c.created_at <= $as_of
),

----------  the business-hours calendar: one row per day, its working seconds and those before it
window_bounds as (
    select open_s, close_s, close_s - open_s as day_s
    from (
        select
            $business_hours_start_s as open_s,
            $business_hours_end_s as close_s
    ) w
),
calendar_bounds as (
    -- a year past $as_of, so that the due time of any clock still running is on the calendar
    select cast(min(created_at) as date) as first_day,
           cast(cast($as_of as date) + interval 366 day as date) as last_day
    from tickets
),
day_series as (
    select unnest(generate_series(first_day, last_day, interval 1 day)) as day_start
    from calendar_bounds
    where first_day is not null
),
days as (
    select cast(day_start as date) as day from day_series
),
holidays as (
    select distinct cast(day as date) as day, is_workday from cfg_holiday
),
calendar as (
    select
        d.day,
        case when coalesce(h.is_workday, w.isodow is not null) then b.close_s - b.open_s else 0 end as work_s
    from days d
    cross join window_bounds b
    left join holidays h on h.day = d.day
    -- the ISO weekday (1 = Monday) as days since the week's Monday: sqlglot writes isodow() for Spark as
    -- dayofweek() % 7 + 1, which is off by one day
    left join cfg_workday w on w.isodow = 1 + date_diff('day', cast(date_trunc('week', d.day) as date), d.day)
),
clock as (
    -- every working day holds the same day_s working seconds, so the n-th working day of the calendar
    -- (workday_no) covers the working seconds ((n - 1) × day_s, n × day_s]
    select
        day, work_s,
        coalesce(sum(work_s) over (order by day rows between unbounded preceding and 1 preceding), 0)
            as work_before_s,
        case when work_s > 0
             then sum(case when work_s > 0 then 1 else 0 end) over (
                      order by day rows between unbounded preceding and current row) end as workday_no
    from calendar
),

----------  the three clocks of each ticket, one row per ticket × stage
targeted as (
    select t.*, s.response_hours as response_target_h, s.resolve_hours as resolve_target_h,
           cast($followup_hours as double) as followup_target_h
    from tickets t
    join cfg_sla_target s on s."class" = t."class" and s.severity = t.severity
),
clocks as (
    select ticket_id, 'response' as stage, created_at as started_at, responded_at as stopped_at,
           response_target_h * 3600 as target_s
    from targeted
    union all
    select ticket_id, 'resolve', created_at, resolved_at, resolve_target_h * 3600
    from targeted
    union all
    select ticket_id, 'followup', resolved_at, followup_at, followup_target_h * 3600
    from targeted
    where resolved_at is not null
),
measured as (
    select
        k.ticket_id, k.stage, k.target_s, k.stopped_at,
        -- W(start) and W(stop), in working seconds since the first day of the calendar
        s.work_before_s + case when s.work_s > 0 then least(greatest(
            hour(k.started_at) * 3600 + minute(k.started_at) * 60 + second(k.started_at) - b.open_s, 0),
            s.work_s) else 0 end as started_w,
        e.work_before_s + case when e.work_s > 0 then least(greatest(
            hour(coalesce(k.stopped_at, $as_of)) * 3600 + minute(coalesce(k.stopped_at, $as_of)) * 60
            + second(coalesce(k.stopped_at, $as_of)) - b.open_s, 0), e.work_s) else 0 end as stopped_w,
        date_diff('second', k.started_at, coalesce(k.stopped_at, $as_of)) as calendar_s,
        k.started_at + cast(round(k.target_s) as bigint) * interval 1 second as calendar_due_at
    from clocks k
    cross join window_bounds b
    join clock s on s.day = cast(k.started_at as date)
    join clock e on e.day = cast(coalesce(k.stopped_at, $as_of) as date)
),
timed as (
    select
        m.*,
        case when $business_hours_enabled then m.stopped_w - m.started_w else m.calendar_s end as elapsed_s,
        case when $business_hours_enabled
             -- the working day on which the target's working seconds run out, and the time in it
             then cast(d.day as timestamp)
                  + cast(b.open_s + m.started_w + m.target_s - d.work_before_s as bigint) * interval 1 second
             else m.calendar_due_at end as due_at
    from measured m
    cross join window_bounds b
    left join clock d
      on d.workday_no = cast(ceil((m.started_w + m.target_s) / b.day_s) as bigint)
),
judged as (
    select
        *,
        elapsed_s > target_s as breached,
        stopped_at is null and elapsed_s <= target_s and elapsed_s >= $at_risk_share * target_s as at_risk
    from timed
),
per_ticket as (
    select
        ticket_id,
        cast(max(case when stage = 'response' then elapsed_s end) as double) / 3600 as response_h,
        cast(max(case when stage = 'resolve' then elapsed_s end) as double) / 3600 as resolve_h,
        cast(max(case when stage = 'followup' then elapsed_s end) as double) / 3600 as followup_h,
        bool_or(stage = 'response' and breached) as response_breached,
        bool_or(stage = 'resolve' and breached) as resolve_breached,
        bool_or(stage = 'followup' and breached) as followup_breached,
        max(case when stage = 'response' then due_at end) as response_due_at,
        max(case when stage = 'resolve' then due_at end) as resolve_due_at,
        max(case when stage = 'followup' then due_at end) as followup_due_at,
        bool_or(stage = 'response' and at_risk) as response_at_risk,
        bool_or(stage = 'resolve' and at_risk) as resolve_at_risk,
        bool_or(stage = 'followup' and at_risk) as followup_at_risk
    from judged
    group by ticket_id
),

----------  repeat complaints: the same group's previous ticket
previous as (
    select
        ticket_id,
        lag(created_at) over (partition by group_id order by created_at, ticket_id) as previous_created_at
    from tickets
),
final as (
    select
        t.*,
        p.response_h, p.resolve_h, p.followup_h,
        p.response_breached, p.resolve_breached, p.followup_breached,
        t.resolved_at is null as is_open,
        p.response_due_at, p.resolve_due_at, p.followup_due_at,
        p.response_at_risk, p.resolve_at_risk, p.followup_at_risk,
        case when t.resolved_at is not null then null
             when not p.resolve_breached then 'within'
             when p.resolve_h <= 2 * t.resolve_target_h then 'over_1x'
             else 'over_2x' end as backlog_band,
        r.previous_created_at,
        coalesce(date_diff('second', r.previous_created_at, t.created_at) <= $repeat_days * 86400, false)
            as is_repeat,
        case when $business_hours_enabled then 'business' else 'calendar' end as clock
    from targeted t
    join per_ticket p using (ticket_id)
    join previous r using (ticket_id)
)
select * from final
