-- grain: one row per early warning (预警) among the viewer's branches ($branches) and manager scope
-- ($manager_scope) — what a manager must act on (metrics.md: Early warnings):
--   high_value_churn  a member of a tier in $high_value_tiers whose leave_date falls in the period; the
--                     group's branch and manager in the month they left; amount = the member's bill in
--                     the month before (the revenue at stake each month), or for a member without bill
--                     rows of their own the group's revenue per active member that month; detail = the tier
--   revenue_slide     a group active at the end of the period's last month with billing (L) whose
--                     revenue fell in each of L-2, L-1 and L against the month before, and whose L is at
--                     least $revenue_slide below L-3 (compared exactly: r(L) ≤ (1 − slide) × r(L-3)); all
--                     four months must have billing; amount = r(L-3) − r(L); value = the slide;
--                     detail = 'YYYY-MM→YYYY-MM'
--   contract_expiry   a contract ending 0 to $expiry_days days after the as-of date (that day and the
--                     last one included) that no contract renews (renewed_from); amount = its monthly
--                     value; value = days left; detail = the contract id
--   arrears           amount_due − amount_paid > 0 of a group, by aging bucket of the months from the
--                     bill month to the as-of month (≤ $aging_1, … ≤ $aging_2, … ≤ $aging_3, more);
--                     amount = the sum owed in the bucket; value = the oldest bill's months; detail = the
--                     bucket ('<=1', '2-3', '4-6', '>6'); a bill paid in full is no warning
-- The group's branch and manager (but for high_value_churn) are those of the period's last month with
-- billing. event_date: the day the warning is about (left, slide month, contract end, oldest bill).
with
data_months as (
    select distinct month_start from group_fee_months
),
span as (
    select max(month_start) as last_month from data_months
    where month_start between $period_start and $period_end
),
owner as (
    select gm.group_id, gm.branch_id, gm.manager_id, gm.is_active, gm.revenue
    from group_months gm
    join span s on gm.month_start = s.last_month
),
as_of_day as (
    select cast($as_of as date) as day, cast(date_trunc('month', cast($as_of as date)) as date) as month_start
),

----------  high-value members leaving
leavers as (
    select m.group_id, m.subscriber_id, m.vip_tier, m.leave_date,
           cast(date_trunc('month', m.leave_date) as date) as leave_month
    from members m
    where m.vip_tier = any($high_value_tiers)
      and m.leave_date between $period_start and $period_end
),
leaver_bills as (
    select l.group_id, l.subscriber_id, l.leave_date, sum(b.amount) as amount
    from leavers l
    join billing b on b.group_id = l.group_id and b.subscriber_id = l.subscriber_id
                  and b.bill_month = cast(l.leave_month - interval 1 month as date)
    group by l.group_id, l.subscriber_id, l.leave_date
),
high_value_churn as (
    select 'high_value_churn' as kind, 1 as kind_ord, gm.branch_id, l.group_id, gm.manager_id, l.subscriber_id,
           l.vip_tier as detail,
           cast(coalesce(lb.amount, round(pm.revenue / nullif(pm.active_members, 0), 2), 0) as decimal(18, 2))
               as amount,
           cast(null as double) as value, l.leave_date as event_date
    from leavers l
    join group_months gm on gm.group_id = l.group_id and gm.month_start = l.leave_month
    left join group_months pm on pm.group_id = l.group_id
                             and pm.month_start = cast(l.leave_month - interval 1 month as date)
    left join leaver_bills lb on lb.group_id = l.group_id and lb.subscriber_id = l.subscriber_id
                             and lb.leave_date = l.leave_date
),

----------  revenue sliding three months running
slide_months as (
    -- L and the three months before it, when all four have billing
    select s.last_month as m0,
           cast(s.last_month - interval 1 month as date) as m1,
           cast(s.last_month - interval 2 month as date) as m2,
           cast(s.last_month - interval 3 month as date) as m3
    from span s
    join data_months d on d.month_start between cast(s.last_month - interval 3 month as date) and s.last_month
    group by s.last_month
    having count(*) = 4
),
slides as (
    select o.group_id, o.branch_id, o.manager_id, sm.m0, sm.m3,
           o.revenue as r0, g1.revenue as r1, g2.revenue as r2, g3.revenue as r3
    from owner o
    cross join slide_months sm
    join group_months g1 on g1.group_id = o.group_id and g1.month_start = sm.m1
    join group_months g2 on g2.group_id = o.group_id and g2.month_start = sm.m2
    join group_months g3 on g3.group_id = o.group_id and g3.month_start = sm.m3
    where o.is_active
),
revenue_slide as (
    select 'revenue_slide', 2, branch_id, group_id, manager_id, cast(null as varchar),
           strftime(m3, '%Y-%m') || '→' || strftime(m0, '%Y-%m'),
           cast(r3 - r0 as decimal(18, 2)), 1 - cast(r0 as double) / cast(r3 as double), m0
    from slides
    where r0 < r1 and r1 < r2 and r2 < r3 and r3 > 0
      and r0 <= cast(1 - $revenue_slide as decimal(9, 6)) * r3
),

----------  contracts about to expire, not renewed
contract_expiry as (
    select 'contract_expiry', 3, o.branch_id, c.group_id, o.manager_id, cast(null as varchar), c.contract_id,
           cast(c.monthly_value as decimal(18, 2)), cast(date_diff('day', a.day, c.end_date) as double), c.end_date
    from contracts c
    cross join as_of_day a
    join owner o on o.group_id = c.group_id
    where date_diff('day', a.day, c.end_date) between 0 and $expiry_days
      and not exists (select 1 from contracts r where r.renewed_from = c.contract_id)
),

----------  arrears by aging bucket
owed as (
    select r.group_id, r.bill_month, r.amount_due - r.amount_paid as owed,
           date_diff('month', r.bill_month, a.month_start) as months
    from arrears r
    cross join as_of_day a
    where r.amount_due > r.amount_paid
),
bucketed as (
    select *,
           case when months <= $aging_1 then 1 when months <= $aging_2 then 2 when months <= $aging_3 then 3
                else 4 end as bucket
    from owed
),
arrears_rows as (
    select 'arrears', 4, o.branch_id, b.group_id, o.manager_id, cast(null as varchar),
           case b.bucket when 1 then '<=' || cast($aging_1 as varchar)
                         when 2 then cast($aging_1 + 1 as varchar) || '-' || cast($aging_2 as varchar)
                         when 3 then cast($aging_2 + 1 as varchar) || '-' || cast($aging_3 as varchar)
                         else '>' || cast($aging_3 as varchar) end,
           cast(sum(b.owed) as decimal(18, 2)), cast(max(b.months) as double), min(b.bill_month)
    from bucketed b
    join owner o on o.group_id = b.group_id
    group by o.branch_id, b.group_id, o.manager_id, b.bucket
),
every_warning as (
    select * from high_value_churn
    union all select * from revenue_slide
    union all select * from contract_expiry
    union all select * from arrears_rows
),
final as (
    select w.*
    from every_warning w
    where w.branch_id = any($branches)
      and ($manager_scope is null or w.manager_id = $manager_scope)
)
select * from final
