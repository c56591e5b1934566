-- grain: one row per age band × severity (all nine, zero where none): the complaint tickets open at
-- $as_of in the viewer's scope, whenever created, aged against their resolution target
-- (metrics.md: Red channel, Backlog): within it, 1–2× it, over 2× it (ticket_sla.backlog_band).
with
bands as (
    select band, band_order from (values ('within', 1), ('over_1x', 2), ('over_2x', 3)) as b(band, band_order)
),
severities as (
    select distinct severity from cfg_sla_target
),
open_tickets as (
    select t.backlog_band, t.severity, count(*) as tickets
    from {{ ref('scoped_tickets') }} t
    where t.is_open
    group by t.backlog_band, t.severity
),
final as (
    select b.band as backlog_band, s.severity, coalesce(o.tickets, 0) as tickets
    from bands b
    cross join severities s
    left join open_tickets o on o.backlog_band = b.band and o.severity = s.severity
    order by b.band_order, s.severity
)
select * from final
