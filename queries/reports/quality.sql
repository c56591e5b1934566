-- grain: one row per dataset × file × reason: rows set aside or superseded at the last refresh,
-- plus one row per file that could not be read or matched no dataset (`rows` = 0 then).
with
set_aside as (
    select dataset, file, reason, count(*) as rows
    from set_aside_rows
    group by all
),
unreadable as (
    select coalesce(dataset, '') as dataset, file,
           case status when 'unknown' then 'unknown_file'
                       when 'failed' then case when error_code = 'missing_column'
                                               then 'missing_column' else 'unreadable_file' end
           end as reason,
           0 as rows
    from file_manifest
    where status in ('failed', 'unknown')
),
final as (
    select * from set_aside
    union all
    select * from unreadable
)
select * from final
order by dataset, file, reason
