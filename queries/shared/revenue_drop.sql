-- grain: one row per group active at the end of the chosen period in the viewer's branches
-- (shared/period_groups.sql) that was billed in the three months before the period: its monthly
-- revenue in the period against its monthly average over those three months (metrics.md: Early
-- warnings; months with data in which it was active), and whether it fell by more than
-- $revenue_drop — the single rule of the revenue-drop alert, compared exactly:
-- current × n_before < (1 − drop) × before × n_current. drop_share = 1 − current ÷ before.
with
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
final as (
    select
        a.group_id, a.branch_id,
        cast(a.revenue as double) / c.months as monthly_revenue,
        cast(b.revenue as double) / b.months as monthly_revenue_before,
        1 - (cast(a.revenue as double) / c.months) / (cast(b.revenue as double) / b.months) as drop_share,
        cast($revenue_drop as double) as threshold,
        a.revenue * b.months < (1 - cast($revenue_drop as decimal(9, 6))) * b.revenue * c.months as dropped
    from active a
    cross join current_months c
    join before_revenue b on b.group_id = a.group_id
    where b.revenue > 0
)
select * from final
