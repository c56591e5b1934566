-- grain: one row per set-aside or superseded example: at most $per_reason rows for each
-- dataset × reason, phone numbers masked (they are shown on screen).
with
ranked as (
    select *, row_number() over (partition by dataset, reason order by file, line) as n
    from set_aside_rows
),
final as (
    select
        dataset, reason, status, file, line, "column",
        regexp_replace(value, '(1[3-9][0-9])[0-9]{4}([0-9]{4})', '\1****\2', 'g') as value,
        regexp_replace(row_json, '(1[3-9][0-9])[0-9]{4}([0-9]{4})', '\1****\2', 'g') as row_json,
        by_file, by_line
    from ranked
    where n <= $per_reason
)
select * from final order by dataset, reason, file, line
