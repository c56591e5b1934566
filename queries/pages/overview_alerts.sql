-- grain: one row per alert for the chosen period among the viewer's branches, each with the page and
-- filter that explains it (link) and, for a group, its profile:
--   sla_below      a branch whose resolution SLA compliance < $sla_compliance_min
--   visit_below    a branch whose visit compliance < $visit_compliance_min
--                  (both as in `kam report branches`: queries/shared/period_kpis.sql)
--   a_unassigned   an active A group without a manager
--   star_misfit    an active group whose manager has fewer stars than its class needs
--   revenue_drop   an active group whose monthly revenue in the period fell by more than
--                  $revenue_drop against its monthly average over the three months before the
--                  period (months with data in which it was active; none → no alert);
--                  compared exactly: current × n_before < (1 − drop) × before × n_current
--   class_upgrade / class_downgrade   suggested class above / below the recorded one
--                  (queries/shared/suggested_class.sql)
--   behind_time    a branch behind 序时进度 on a flow it has a target for (revenue, activated orders):
--                  attainment < time progress; value = attainment, threshold = time progress
--   off_target     a branch not on target for another KPI it has a target for; value = the actual,
--                  threshold = the target, in the KPI's kind (shared/target_attainment)
-- value is the figure that triggered the alert and threshold the rule it broke; kind says how both
-- read (rate: a fraction, money: yuan, count); kpi names the KPI of a target alert.
with
branch_kpis as (
    select * from {{ ref('period_kpis') }}
    where period = 'current' and branch_id = any($branches)
),
active as (
    select * from {{ ref('period_groups') }}
    where branch_id = any($branches)
),
data_months as (
    select distinct month_start from group_fee_months
),
current_months as (
    select count(*) as months from data_months where month_start between $period_start and $period_end
),
before_revenue as (
    select gm.group_id, sum(gm.revenue) as revenue, count(*) as months
    from group_months gm
    join active a on a.group_id = gm.group_id
    join data_months d on d.month_start = gm.month_start
    where gm.month_start between cast($period_start - interval 3 month as date)
                             and cast($period_start - interval 1 month as date)
      and gm.is_active
    group by gm.group_id
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
alerts as (
    select 'sla_below' as alert, 1 as ord, branch_id, cast(null as varchar) as group_id,
           sla_resolve_compliance as value, cast($sla_compliance_min as double) as threshold,
           '/branches?branch=' || branch_id || '&kpi=sla_resolve_compliance' as link,
           'rate' as kind, cast(null as varchar) as kpi
    from branch_kpis
    where sla_resolve_compliance < $sla_compliance_min
    union all
    select 'visit_below', 2, branch_id, null, visit_compliance, cast($visit_compliance_min as double),
           '/branches?branch=' || branch_id || '&kpi=visit_compliance', 'rate', null
    from branch_kpis
    where visit_compliance < $visit_compliance_min
    union all
    select 'behind_time', -2, branch_id, null, attainment, time_progress,
           '/branches?branch=' || branch_id || '&kpi=' || kpi, 'rate', kpi
    from branch_targets
    where not ahead_of_time
    union all
    select 'off_target', -1, branch_id, null, actual, target,
           '/branches?branch=' || branch_id || '&kpi=' || kpi, kind, kpi
    from branch_targets
    where ahead_of_time is null and not on_target
    union all
    select 'a_unassigned', 3, branch_id, group_id, null, null, '/classes?view=misfits', 'rate', null
    from active
    where "class" = 'A' and manager_id is null
    union all
    select 'star_misfit', 4, branch_id, group_id, cast(manager_star as double), cast(star_needed as double),
           '/classes?view=misfits', 'rate', null
    from active
    where manager_id is not null and not star_fits
    union all
    select 'revenue_drop', 5, a.branch_id, a.group_id,
           1 - (cast(a.revenue as double) / c.months) / (cast(b.revenue as double) / b.months),
           cast($revenue_drop as double),
           '/group_profile?group=' || a.group_id, 'rate', null
    from active a
    cross join current_months c
    join before_revenue b on b.group_id = a.group_id
    where b.revenue > 0
      and a.revenue * b.months < (1 - cast($revenue_drop as decimal(9, 6))) * b.revenue * c.months
    union all
    select case when s.suggested_class < a."class" then 'class_upgrade' else 'class_downgrade' end,
           case when s.suggested_class < a."class" then 6 else 7 end,
           a.branch_id, a.group_id, null, null,
           case when s.suggested_class < a."class" then '/classes?view=upgrade' else '/classes?view=downgrade' end,
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
        al.kind,
        al.kpi,
        case when al.group_id is not null then '/group_profile?group=' || al.group_id end as profile
    from alerts al
    join branches b on b.branch_id = al.branch_id
    left join groups g on g.group_id = al.group_id
    left join suggested s on s.group_id = al.group_id
)
select alert, branch_id, branch_name, group_id, group_name, "class", suggested_class, value, threshold, link, profile,
       kind, kpi
from final
order by ord, branch_id, kpi, value desc nulls last, group_id
