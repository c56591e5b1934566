-- grain: one row per row set aside or superseded at the last refresh (the download); phone numbers
-- masked unless the viewer may see them ($see_phones).
with
final as (
    select
        dataset, file, line, status, reason, "column",
        case when $see_phones then value
             else regexp_replace(value, '(1[3-9][0-9])[0-9]{4}([0-9]{4})', '\1****\2', 'g') end as value,
        case when $see_phones then row_json
             else regexp_replace(row_json, '(1[3-9][0-9])[0-9]{4}([0-9]{4})', '\1****\2', 'g') end as row_json,
        by_file, by_line
    from set_aside_rows
)
select * from final order by dataset, file, line
