-- grain: one row per branch the viewer may see ($branches), for filters and labels.
select branch_id, branch_name, mgmt_model
from branches
where branch_id = any($branches)
order by branch_id
