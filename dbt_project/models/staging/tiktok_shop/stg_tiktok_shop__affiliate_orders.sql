{#-
    One row per affiliate order SKU line: the latest non-deleted raw version. Amount strings
    become exact decimals (whole prices arrive as "99"); commission rates arrive in
    hundredths of a percent ("1550" = 15.5 %) and become fractions (0.155).

    A table, not a view: the latest-version pick runs over every stored version, and its
    key has no date a reader's filter could narrow it by, so each test and model reading
    a view would repeat it over the whole history.
-#}
{{ config(materialized='table') }}

{% call present_rows_staging(
    source('tiktok_shop', 'affiliate_orders'), ['shop_cipher', 'order_id', 'line_number'],
) -%}
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
{%- endcall %}
