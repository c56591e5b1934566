-- grain: one row per dataset of the export contract with files in the folder: files loaded and
-- failed, rows read, loaded, set aside and superseded at the last refresh.
with
final as (
    select
        dataset,
        count(*) filter (where status = 'loaded') as files_loaded,
        count(*) filter (where status = 'failed') as files_failed,
        coalesce(sum(rows_read), 0) as rows_read,
        coalesce(sum(loaded), 0) as loaded,
        coalesce(sum(set_aside), 0) as set_aside,
        coalesce(sum(superseded), 0) as superseded,
        max(parsed_at) as last_parsed
    from file_manifest
    where dataset is not null
    group by dataset
)
select * from final order by dataset
