-- grain: one row per optional export of issue 14 (targets, contracts, arrears): how many rows loaded,
-- so a page that needs one can say it was not exported instead of showing an empty table.
select 'targets' as dataset, count(*) as loaded_rows from targets
union all
select 'contracts', count(*) from contracts
union all
select 'arrears', count(*) from arrears
