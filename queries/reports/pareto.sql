-- grain: one row for the whole selection (the viewer's branches): how concentrated the revenue of the
-- chosen period is among the groups active at its end (metrics.md: Pareto share).
--   groups: active groups; top_groups: the top 20 % of them rounded UP to a whole group
--   (ceil(groups ÷ 5)); top20_share: their share of the active groups' revenue.
--   Ranking is by revenue, highest first, ties broken by group_id: a tie at the cut never changes
--   top20_share, because tied groups bring the same revenue whichever of them is counted.
--   groups_for_80: the fewest groups that bring at least 80 % of the revenue; share_for_80 their
--   share of the groups. Shares are empty when the total revenue is not positive.
--   The revenue it ranks is not all the revenue of the period: revenue (every group billed in the
--   period, as on the overview, branches and classes) = active_revenue (the groups ranked, active at
--   the period's end) + inactive_revenue (groups billed in the period but not active at its end:
--   closed during it, or billed after closing).
with
ranked as (
    -- the ranking is already limited to the viewer's branches; the filter states it here as well
    select * from {{ ref('pareto_ranking') }}
    where branch_id = any($branches)
),
billed as (
    select gm.group_id, sum(gm.revenue) as revenue
    from group_months gm
    where gm.month_start between $period_start and $period_end
      and gm.branch_id = any($branches)
    group by gm.group_id
),
inactive as (
    select coalesce(sum(b.revenue), 0) as revenue
    from billed b
    where b.group_id not in (select group_id from ranked)
),
concentration as (
    select
        count(*) as "groups",
        cast(coalesce(sum(case when in_top20 then 1 else 0 end), 0) as bigint) as top_groups,
        cast(coalesce(sum(revenue), 0) as decimal(18, 2)) as active_revenue,
        cast(sum(case when in_top20 then revenue else 0 end) as decimal(18, 2)) as top20_revenue,
        case when sum(revenue) > 0
             then cast(sum(case when in_top20 then revenue else 0 end) as double) / cast(sum(revenue) as double)
        end as top20_share,
        case when sum(revenue) > 0 then min(rank_in_selection) filter (where reaches_80) end as groups_for_80,
        case when sum(revenue) > 0
             then cast(min(rank_in_selection) filter (where reaches_80) as double) / count(*) end as share_for_80
    from ranked
),
final as (
    select
        c."groups", c.top_groups,
        cast(c.active_revenue + i.revenue as decimal(18, 2)) as revenue,
        c.active_revenue,
        cast(i.revenue as decimal(18, 2)) as inactive_revenue,
        c.top20_revenue, c.top20_share, c.groups_for_80, c.share_for_80
    from concentration c
    cross join inactive i
)
select * from final
