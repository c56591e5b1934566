-- grain: one row per alert for the chosen period among the viewer's branches, each with the page and
-- filter that explains it (link: the rows of the alert marked there, its target drawn) and, for a
-- group, its profile:
--   sla_below      a branch whose resolution SLA compliance < $sla_compliance_min
--   visit_below    a branch whose visit compliance < $visit_compliance_min
--                  (both: shared/branch_alerts.sql, on the figures of `kam report branches`)
--   a_unassigned   an active A group without a manager
--   star_misfit    an active group whose manager has fewer stars than its class needs
--   revenue_drop   an active group whose monthly revenue in the period fell by more than
--                  $revenue_drop against its monthly average over the three months before the
--                  period (shared/revenue_drop.sql)
--   class_upgrade / class_downgrade   suggested class above / below the recorded one
--                  (queries/shared/suggested_class.sql)
--   behind_time    a branch behind 序时进度 on a flow it has a target for in the targets export
--                  (revenue, activated orders): attainment < time progress; value = attainment,
--                  threshold = time progress
--   off_target     a branch not on target for another KPI it has such a target for; value = the actual,
--                  threshold = the target, in the KPI's kind (both: shared/target_attainment)
-- value is the figure that triggered the alert and threshold the rule it broke (the target); kind says
-- how both read (rate: a fraction, money: yuan, count) and kpi names the KPI of a branch alert; link
-- opens the row's own view, alert_link the view of the alert as a whole.
with
branch_alerts as (
    select * from {{ ref('branch_alerts') }}
    where below_target
      and branch_id = any($branches)
),
active as (
    select * from {{ ref('period_groups') }}
    where branch_id = any($branches)
),
drops as (
    select * from {{ ref('revenue_drop') }}
    where dropped
),
suggested as (
    select s.group_id, s.suggested_class
    from {{ ref('suggested_class') }} s
    join active a on a.group_id = s.group_id and a.month_start = s.month_start
),
branch_targets as (
    select * from {{ ref('target_attainment') }}
    where branch_id is not null
),
target_alerts as (
    select case when ahead_of_time is not null then 'behind_time' else 'off_target' end as alert,
           case when ahead_of_time is not null then -2 else -1 end as ord,
           branch_id, kpi, case when ahead_of_time is not null then 'rate' else kind end as kind, ord as kpi_ord,
           case when ahead_of_time is not null then attainment else actual end as value,
           case when ahead_of_time is not null then time_progress else target end as threshold
    from branch_targets
    where not coalesce(ahead_of_time, on_target, true)
),
alerts as (
    select alert, ord, branch_id, cast(null as varchar) as group_id, value, threshold,
           '/branches?branch=' || branch_id || '&kpi=' || kpi as link,
           -- the alert as a whole opens the comparison at the KPI of its first row
           '/branches?kpi=' || first_value(kpi) over (
               partition by alert order by branch_id, kpi_ord rows between unbounded preceding and unbounded following)
               as alert_link,
           kind, kpi
    from target_alerts
    union all
    select alert, ord, branch_id, cast(null as varchar) as group_id, value, target as threshold,
           '/branches?branch=' || branch_id || '&kpi=' || kpi || '&alert=' || alert as link,
           '/branches?kpi=' || kpi || '&alert=' || alert as alert_link,
           'rate', kpi
    from branch_alerts
    union all
    select 'a_unassigned', 3, branch_id, group_id, null, null, '/classes?view=misfits&alert=a_unassigned',
           '/classes?view=misfits&alert=a_unassigned', 'rate', null
    from active
    where "class" = 'A' and manager_id is null
    union all
    select 'star_misfit', 4, branch_id, group_id, cast(manager_star as double), cast(star_needed as double),
           '/classes?view=misfits&alert=star_misfit', '/classes?view=misfits&alert=star_misfit', 'rate', null
    from active
    where manager_id is not null and not star_fits
    union all
    select 'revenue_drop', 5, branch_id, group_id, drop_share, threshold,
           '/branches?branch=' || branch_id || '&alert=revenue_drop',
           -- the alert as a whole opens the branch with the most of these groups
           '/branches?branch=' || first_value(branch_id) over (
               order by branch_drops desc, branch_id rows between unbounded preceding and unbounded following)
           || '&alert=revenue_drop',
           'rate', null
    from (select d.*, count(*) over (partition by branch_id) as branch_drops from drops d) d
    union all
    select case when s.suggested_class < a."class" then 'class_upgrade' else 'class_downgrade' end,
           case when s.suggested_class < a."class" then 6 else 7 end,
           a.branch_id, a.group_id, null, null,
           case when s.suggested_class < a."class" then '/classes?view=upgrade&alert=class_upgrade'
                else '/classes?view=downgrade&alert=class_downgrade' end,
           case when s.suggested_class < a."class" then '/classes?view=upgrade&alert=class_upgrade'
                else '/classes?view=downgrade&alert=class_downgrade' end,
           'rate', null
    from active a
    join suggested s on s.group_id = a.group_id
    where s.suggested_class <> a."class"
),
final as (
    select
        al.ord,
        al.alert,
        al.branch_id,
        b.branch_name,
        al.group_id,
        g.group_name,
        g."class",
        s.suggested_class,
        al.value,
        al.threshold,
        al.link,
        al.alert_link,
        al.kind,
        al.kpi,
        case when al.group_id is not null then '/group_profile?group=' || al.group_id end as profile
    from alerts al
    join branches b on b.branch_id = al.branch_id
    left join groups g on g.group_id = al.group_id
    left join suggested s on s.group_id = al.group_id
)
select alert, branch_id, branch_name, group_id, group_name, "class", suggested_class, value, threshold, link,
       alert_link, profile, kind, kpi
from final
order by ord, branch_id, kpi, value desc nulls last, group_id
