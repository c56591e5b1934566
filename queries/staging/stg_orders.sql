-- grain: one row per order row read from the order (green channel) exports; `_failure` names the
-- first rule the row breaks (NULL when it breaks none). Stages must be reached in order.
-- `_row` is the row as exported (text cells, file, line), kept for the rows set aside.
with
source as ( select * from raw_orders ),
typed as (
    select
        _file, _line, _row,
        kam_text(order_id) as order_id,
        kam_text(group_id) as group_id,
        kam_text(manager_id) as manager_id,
        kam_fee_item(product) as product,
        kam_timestamp(visited_at) as visited_at,
        kam_timestamp(handled_at) as handled_at,
        kam_timestamp(contracted_at) as contracted_at,
        kam_timestamp(built_at) as built_at,
        kam_timestamp(activated_at) as activated_at,
        kam_amount(monthly_value) as monthly_value,
        source.handled_at as raw_handled_at,
        source.contracted_at as raw_contracted_at,
        source.built_at as raw_built_at,
        source.activated_at as raw_activated_at,
        source.visited_at as raw_visited_at,
        source.product as raw_product,
        source.monthly_value as raw_monthly_value,
        source.order_id as raw_order_id,
        source.group_id as raw_group_id,
        source.manager_id as raw_manager_id
    from source
),
checked as (
    select
        ----------  ids
        _file, _line, _row, order_id, group_id, manager_id,
        ----------  order
        product, monthly_value,
        ----------  stage times
        visited_at, handled_at, contracted_at, built_at, activated_at,
        ----------  rules
        coalesce(
            kam_cell('order_id', raw_order_id, order_id, true, 'required'),
            kam_cell('group_id', raw_group_id, group_id, true, 'required'),
            kam_cell('manager_id', raw_manager_id, manager_id, true, 'required'),
            kam_cell('product', raw_product, product, true, 'bad_enum'),
            kam_cell('visited_at', raw_visited_at, visited_at, true, 'bad_timestamp'),
            kam_cell('handled_at', raw_handled_at, handled_at, false, 'bad_timestamp'),
            kam_cell('contracted_at', raw_contracted_at, contracted_at, false, 'bad_timestamp'),
            kam_cell('built_at', raw_built_at, built_at, false, 'bad_timestamp'),
            kam_cell('activated_at', raw_activated_at, activated_at, false, 'bad_timestamp'),
            kam_cell('monthly_value', raw_monthly_value, monthly_value, false, 'bad_amount'),
            -- a stage is never filled while an earlier one is empty, never earlier than the one before
            kam_rule('handled_at', 'stage_order', raw_handled_at,
                     handled_at is null or handled_at >= visited_at),
            kam_rule('contracted_at', 'stage_order', raw_contracted_at,
                     contracted_at is null or (handled_at is not null and contracted_at >= handled_at)),
            kam_rule('built_at', 'stage_order', raw_built_at,
                     built_at is null or (contracted_at is not null and built_at >= contracted_at)),
            kam_rule('activated_at', 'stage_order', raw_activated_at,
                     activated_at is null or (built_at is not null and activated_at >= built_at))
        ) as _failure
    from typed
),
final as ( select * from checked )
select * from final
