-- grain: one row per branch among the viewer's branches with snapshot groups (拍照客户: active at the end
-- of $snapshot_month) or groups opened since: group, member and revenue retention at the end of the
-- chosen period's last month with billing, their change against the month before and their rank among
-- the branches, and the period's existing (存量) and new (增量) revenue. Definitions:
-- queries/shared/retention_cuts.sql (metrics.md: Snapshot retention).
with
final as (
    select c."key" as branch_id, b.branch_name, c.snapshot_month, c."month",
           c.snapshot_groups, c.retained_groups, c.group_retention, c.group_retention_mom, c.group_retention_rank,
           c.snapshot_members, c.retained_members, c.member_retention, c.member_retention_mom,
           c.member_retention_rank,
           c.snapshot_revenue, c.revenue, c.revenue_retention, c.revenue_retention_mom, c.revenue_retention_rank,
           c.existing_revenue, c.new_revenue
    from {{ ref('retention_cuts') }} c
    left join branches b on b.branch_id = c."key"
    where c.dimension = 'branch'
)
select * from final
order by branch_id
