-- grain: one row per branch in the viewer's scope: its current management model (branches.mgmt_model)
-- and the measured indicators behind the management-model matrix (metrics.md: Management-model matrix;
-- settings.toml [model_matrix] names them in `indicator`):
--   active_groups          groups active at the end of the period (size of the group base)
--   revenue                revenue of the branch's groups in the period (value of the group base)
--   line_ict_data_share    revenue of fee items line, ict and data ÷ all revenue, in the period
--   manager_capability     mean star level of the managers employed at $as_of − the outsourced share of them
--   manager_turnover_rate  managers who left in the 12 months up to $as_of ÷ managers employed 12 months before
--   member_churn_rate      mean of the monthly member churn rates (members who left in the month ÷ members
--                          active at the end of the previous month) over the three months ending with the
--                          period's last month, months without a previous month left out
-- Ratios are rounded to 6 decimals so that float noise (1.9999999999999998) never moves a level.
-- kam/planning/model_matrix.py turns them into suggested scores; `kam report model` adds the totals.
with
scope_branches as (
    select branch_id, branch_name, mgmt_model
    from branches
    where branch_id = any($branches)
),

----------  size and value of the group base
base as (
    select branch_id, count(*) filter (where is_active) as active_groups
    from group_months
    where month_start = $period_last_month and branch_id = any($branches)
    group by all
),
revenue as (
    select
        gm.branch_id,
        sum(f.revenue) as revenue,
        coalesce(sum(f.revenue) filter (where f.fee_item in ('line', 'ict', 'data')), 0) as line_ict_data_revenue
    from group_fee_months f
    join group_months gm on gm.group_id = f.group_id and gm.month_start = f.month_start
    where f.month_start between $period_start and $period_last_month and gm.branch_id = any($branches)
    group by all
),

----------  the managers: capability now, turnover over 12 months
team as (
    select
        branch_id,
        count(*) filter (where (hire_date is null or hire_date <= $as_of)
                           and (leave_date is null or leave_date > $as_of)) as employed_managers,
        avg(star_level) filter (where (hire_date is null or hire_date <= $as_of)
                                  and (leave_date is null or leave_date > $as_of)) as mean_star_level,
        avg(case when employment = 'outsourced' then 1 else 0 end)
            filter (where (hire_date is null or hire_date <= $as_of)
                      and (leave_date is null or leave_date > $as_of)) as outsourced_share,
        count(*) filter (where (hire_date is null or hire_date <= $as_of - interval 12 month)
                           and (leave_date is null or leave_date > $as_of - interval 12 month))
            as managers_12m_ago,
        count(*) filter (where leave_date > $as_of - interval 12 month and leave_date <= $as_of)
            as managers_left_12m
    from managers
    where branch_id = any($branches)
    group by all
),

----------  competition: member churn, month by month
churn_months as (
    select
        cur.branch_id, cur.month_start,
        sum(cur.members_left) as members_left,
        sum(prev.active_members) as members_before
    from group_months cur
    join group_months prev
      on prev.group_id = cur.group_id
     and prev.month_start = cast(cur.month_start - interval 1 month as date)
    where cur.month_start between cast($period_last_month - interval 2 month as date) and $period_last_month
      and cur.branch_id = any($branches)
    group by all
),
churn as (
    select branch_id, avg(cast(members_left as double) / members_before) as member_churn_rate
    from churn_months
    where members_before > 0
    group by all
),

final as (
    select
        s.branch_id, s.branch_name, s.mgmt_model,
        coalesce(b.active_groups, 0) as active_groups,
        cast(coalesce(r.revenue, 0) as decimal(18, 2)) as revenue,
        round(case when r.revenue > 0
                   then cast(r.line_ict_data_revenue as double) / cast(r.revenue as double) end, 6)
            as line_ict_data_share,
        coalesce(t.employed_managers, 0) as employed_managers,
        round(t.mean_star_level, 6) as mean_star_level,
        round(t.outsourced_share, 6) as outsourced_share,
        round(t.mean_star_level - t.outsourced_share, 6) as manager_capability,
        coalesce(t.managers_12m_ago, 0) as managers_12m_ago,
        coalesce(t.managers_left_12m, 0) as managers_left_12m,
        round(case when t.managers_12m_ago > 0
                   then cast(t.managers_left_12m as double) / t.managers_12m_ago end, 6) as manager_turnover_rate,
        round(c.member_churn_rate, 6) as member_churn_rate
    from scope_branches s
    left join base b on b.branch_id = s.branch_id
    left join revenue r on r.branch_id = s.branch_id
    left join team t on t.branch_id = s.branch_id
    left join churn c on c.branch_id = s.branch_id
)
select * from final
order by branch_id
