-- grain: one row per loaded branch id; the query layer's "every branch" scope.
select branch_id from branches order by branch_id
