{#- GMV Max report, one row per campaign and advertiser-local day; "-" becomes null. -#}

with source as (

    {{ latest_live_versions(
        source('tiktok', 'gmv_max_report_daily'),
        ['advertiser_id', 'campaign_id', 'stat_time_day']) }}

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        store_id,
        campaign_id,
        ---------- numerics
        {{ tiktok_metric('cost', 'decimal(18, 2)') }} as cost,
        {{ tiktok_metric('net_cost', 'decimal(18, 2)') }} as net_cost,
        {{ tiktok_metric('orders', dbt.type_bigint()) }} as orders,
        {{ tiktok_metric('cost_per_order', 'decimal(18, 2)') }} as cost_per_order,
        {{ tiktok_metric('gross_revenue', 'decimal(18, 2)') }} as gross_revenue,
        {{ tiktok_metric('roi', 'decimal(18, 2)') }} as roi,
        {{ tiktok_metric('product_impressions', dbt.type_bigint()) }} as product_impressions,
        {{ tiktok_metric('product_clicks', dbt.type_bigint()) }} as product_clicks,
        ---------- dates
        stat_time_day as report_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
    from source
    where not is_removed_from_source

)

select * from renamed
