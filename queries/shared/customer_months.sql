-- grain: one row per branch × recorded class × month with billing data: the additive counts that
-- every customer-base figure is built from (metrics.md: Customers, Star fit, Red channel). A period
-- or a roll-up sums these rows; a rate is a ratio of sums, never an average of rates.
--   state at month end (count the period's last month):  groups, members, with_manager, star_fit,
--                                                         unassigned
--   flows of the month (sum over the period's months):   revenue, arpu_revenue, members_left,
--                                                         churned_groups, tickets, tickets_resolved_in_sla
--   members_base: members active at the end of the previous calendar month (the denominator of
--                 the month's member churn); NULL when that month is outside the calendar.
-- A month without any billing row in the warehouse is a missing month: it has no row here.
with
data_months as (
    select distinct month_start from group_fee_months
),
months as (
    select c.month_start, c.prev_month
    from calendar_months c
    join data_months d on d.month_start = c.month_start
),
group_rows as (
    select
        gm.branch_id, gm."class", gm.month_start, gm.is_active, gm.churned_in_month, gm.revenue,
        gm.active_members, gm.members_left, gm.manager_id, gm.star_fits,
        prev.active_members as members_prev
    from group_months gm
    join months m on m.month_start = gm.month_start
    left join group_months prev on prev.group_id = gm.group_id and prev.month_start = m.prev_month
),
by_class as (
    select
        ----------  keys
        branch_id,
        "class",
        month_start,
        ----------  state at month end
        count(*) filter (where is_active) as "groups",
        cast(coalesce(sum(active_members) filter (where is_active), 0) as bigint) as members,
        count(*) filter (where is_active and manager_id is not null) as with_manager,
        count(*) filter (where is_active and star_fits) as star_fit,
        count(*) filter (where is_active and manager_id is null) as unassigned,
        ----------  flows of the month
        sum(revenue) as revenue,
        coalesce(sum(revenue) filter (where is_active and active_members > 0), 0) as arpu_revenue,
        cast(sum(members_left) as bigint) as members_left,
        cast(sum(members_prev) as bigint) as members_base,
        count(*) filter (where churned_in_month) as churned_groups
    from group_rows
    group by branch_id, "class", month_start
),
tickets as (
    select
        t.branch_id, t."class", cast(date_trunc('month', t.created_at) as date) as month_start,
        count(*) as tickets,
        count(*) filter (where not t.resolve_breached) as tickets_resolved_in_sla
    from {{ ref('ticket_sla') }} t
    group by t.branch_id, t."class", cast(date_trunc('month', t.created_at) as date)
),
final as (
    select
        b.*,
        coalesce(t.tickets, 0) as tickets,
        coalesce(t.tickets_resolved_in_sla, 0) as tickets_resolved_in_sla
    from by_class b
    left join tickets t
      on t.branch_id = b.branch_id and t."class" = b."class" and t.month_start = b.month_start
)
select * from final
