{#-
    One row per affiliate order SKU line: the latest non-deleted raw version. Amount strings
    become exact decimals (whole prices arrive as "99"); commission rates arrive in
    hundredths of a percent ("1550" = 15.5 %) and become fractions (0.155).

    Incremental by order day (lookback_incremental_config): the latest-version pick over every
    stored version was the costliest step of a daily build at scale (7 s of 43 s at the
    `large` preset, rebuilt in full every day). Orders are pulled by creation day, the
    lookback re-pulling recent ones for their status and commission changes, so new raw
    versions land only inside a load's window, and every version of an order line shares
    its creation day.
-#}
{{ lookback_incremental_config(incremental_strategy='append', date_column='order_date') }}
{%- set first_day = lookback_first_day('order_date') -%}

with {{ latest_live_raw_rows(
    source('tiktok_shop', 'affiliate_orders'),
    ['shop_cipher', 'order_id', 'line_number'],
    'create_date',
    first_day,
) }},

renamed as (

    select
        ---------- ids
        shop_cipher,
        order_id,
        line_number,
        product_id,
        content_id,
        open_collaboration_id,
        target_collaboration_id,
        campaign_id,
        ---------- strings
        order_status,
        creator_username,
        content_type,
        price_currency as currency,
        ---------- numerics
        cast(quantity as {{ dbt.type_bigint() }}) as quantity,
        cast(coalesce(refunded_quantity, 0) as {{ dbt.type_bigint() }})
            as refunded_quantity,
        cast(coalesce(returned_quantity, 0) as {{ dbt.type_bigint() }})
            as returned_quantity,
        cast(price_amount as {{ type_money() }}) as unit_price,
        cast(cast(commission_rate as decimal(18, 0)) / 10000 as decimal(9, 6))
            as commission_rate,
        cast(cast(shop_ads_commission_rate as decimal(18, 0)) / 10000 as decimal(9, 6))
            as shop_ads_commission_rate,
        cast(estimated_commission_base_amount as {{ type_money() }})
            as estimated_commission_base,
        cast(estimated_paid_commission_amount as {{ type_money() }})
            as estimated_paid_commission,
        cast(actual_commission_base_amount as {{ type_money() }})
            as actual_commission_base,
        cast(actual_paid_commission_amount as {{ type_money() }})
            as actual_paid_commission,
        ---------- booleans
        coalesce(order_status = 'CANCELLED', false) as is_cancelled,
        ---------- dates
        create_date as order_date,
        ---------- timestamps
        {{ dbt.dateadd('second', 'create_time', "cast('1970-01-01' as timestamp)") }}
            as created_at,
        {{ dbt.dateadd('second', 'delivery_time', "cast('1970-01-01' as timestamp)") }}
            as delivered_at,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
    from latest_live_raw

)

select * from renamed
