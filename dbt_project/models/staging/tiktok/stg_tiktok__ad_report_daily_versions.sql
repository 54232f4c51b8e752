{#-
    Every stored version of each BASIC report ad x day (not only the latest): what each
    pull reported for purchases and their value, for fct_conversion_restatements.
    Tombstones carry no numbers and are left out, so are Upgraded Smart+ creatives (see
    stg_tiktok__ad_report_daily). A deliberate second view over the same source table.
-#}

with source as (

    select * from {{ source('tiktok', 'ad_report_daily') }}
    where not _is_deleted
        and {{ tiktok_not_smart_plus_creative() }}

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        ad_id,
        _sync_id as sync_id,
        ---------- numerics
        {{ tiktok_metric('complete_payment', 'decimal(18, 2)') }} as purchases,
        {{ tiktok_metric('total_complete_payment_rate', 'decimal(18, 2)') }}
            as purchase_value,
        ---------- dates
        stat_time_day as report_date,
        ---------- timestamps
        {{ utc_timestamp('_pulled_at') }} as pulled_at
    from source

)

select * from renamed
