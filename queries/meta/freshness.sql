-- grain: one row: the last refresh (when it finished, files and rows it accounted for).
select run_id, finished_at, files, rows_read, loaded, set_aside, superseded
from ingest_runs
order by finished_at desc
limit 1
