{#-
    Every stored version of each GMV Max campaign x day (not only the latest): what each
    pull reported for orders and revenue, for fct_conversion_restatements. Tombstones carry
    no numbers and are left out. A deliberate second view over the same source table.
-#}

with source as (

    select * from {{ source('tiktok', 'gmv_max_report_daily') }}
    where not _is_deleted

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        store_id,
        campaign_id,
        _sync_id as sync_id,
        ---------- numerics
        {{ tiktok_metric('orders', dbt.type_bigint()) }} as orders,
        {{ tiktok_metric('gross_revenue', 'decimal(18, 2)') }} as gross_revenue,
        ---------- dates
        stat_time_day as report_date,
        ---------- timestamps
        {{ utc_timestamp('_pulled_at') }} as pulled_at
    from source

)

select * from renamed
