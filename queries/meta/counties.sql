-- grain: one row per branch × county (区县) that the viewer's groups or managers name ($branches); empty
-- when the exports carry no county column, so the pages show no county control then.
with
named as (
    select branch_id, county from groups where county is not null and branch_id = any($branches)
    union
    select branch_id, county from managers where county is not null and branch_id = any($branches)
)
select branch_id, county from named
order by branch_id, county
