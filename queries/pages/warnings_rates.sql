-- grain: one row: the renewal rate of the contracts ending in the chosen period (renewed by some
-- contract ÷ ending) and the collection rate of its bill months (paid ÷ due in arrears), for the groups
-- of the viewer's branches and manager scope (their branch and manager in the period's last month with
-- billing, as the warnings) (metrics.md: Early warnings).
with
span as (
    select max(month_start) as last_month from group_fee_months
    where month_start between $period_start and $period_end
),
owner as (
    select gm.group_id
    from group_months gm
    join span s on gm.month_start = s.last_month
    where gm.branch_id = any($branches)
      and ($manager_scope is null or gm.manager_id = $manager_scope)
),
ending as (
    select c.contract_id,
           exists (select 1 from contracts r where r.renewed_from = c.contract_id) as renewed
    from contracts c
    join owner o on o.group_id = c.group_id
    where c.end_date between $period_start and $period_end
),
bills as (
    select sum(r.amount_due) as amount_due, sum(r.amount_paid) as amount_paid
    from arrears r
    join owner o on o.group_id = r.group_id
    where r.bill_month between $period_start and $period_end
),
contract_counts as (
    select count(*) as contracts_ending, count(*) filter (where renewed) as contracts_renewed from ending
),
final as (
    select
        cc.contracts_ending, cc.contracts_renewed,
        cast(cc.contracts_renewed as double) / nullif(cc.contracts_ending, 0) as renewal_rate,
        cast(b.amount_due as decimal(18, 2)) as amount_due, cast(b.amount_paid as decimal(18, 2)) as amount_paid,
        cast(b.amount_paid as double) / nullif(cast(b.amount_due as double), 0) as collection_rate
    from contract_counts cc
    cross join bills b
)
select * from final
