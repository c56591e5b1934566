-- grain: one row: the as-of time, the latest timestamp (a date taken at 00:00) found in complaints,
-- orders and visits (metrics.md: Time). NULL when none of them has a row.
with
stamps as (
    select max(greatest(created_at, coalesce(first_response_at, created_at),
                        coalesce(resolved_at, created_at), coalesce(followup_at, created_at))) as t
    from complaints
    union all
    select max(greatest(visited_at, coalesce(handled_at, visited_at), coalesce(contracted_at, visited_at),
                        coalesce(built_at, visited_at), coalesce(activated_at, visited_at)))
    from orders
    union all
    select max(cast(visit_date as timestamp)) from visits
)
select max(t) as as_of from stamps
