{#-
    Every stored version of each Upgraded Smart+ ad x day of the report by ad_id_v2 (not
    only the latest): purchases and their value as each pull saw them, for
    fct_conversion_restatements. Tombstones carry no numbers and are left out.
-#}

with source as (

    select * from {{ source('tiktok', 'smart_plus_ad_report_daily') }}
    where not _is_deleted

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        ad_id_v2 as ad_id,
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
