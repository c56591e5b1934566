-- grain: one row per file in the export folder at the last refresh, with its status and counts.
select file, dataset, status, error, error_code, error_params, encoding, delimiter, extra_columns, rows_read, loaded,
       set_aside, superseded, size, sha256, parsed_at
from file_manifest
order by dataset nulls last, file
