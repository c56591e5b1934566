-- grain: one row per complaint ticket of the group $group_id created by the as-of time (when the
-- viewer may see it: branch_id = any($branches)), newest first, with its SLA decisions as they stand
-- at the as-of time (queries/shared/ticket_sla.sql). subscriber_id is personal data: the page masks it.
with
grp as (
    select * from {{ ref('profile_group') }}
    where branch_id = any($branches)
),
final as (
    select
        t.ticket_id, t.created_at, t.category, t.severity, t.channel, t.subscriber_id,
        t.responded_at as first_response_at, t.resolved_at, t.followup_at, t.satisfaction,
        t.response_breached, t.resolve_breached, t.followup_breached, t.is_open
    from {{ ref('ticket_sla') }} t
    join grp on grp.group_id = t.group_id
)
select * from final
order by created_at desc, ticket_id
