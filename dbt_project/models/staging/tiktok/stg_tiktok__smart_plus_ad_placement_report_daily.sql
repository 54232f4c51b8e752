{#-
    AUDIENCE report by ad_id_v2 and placement for the Upgraded Smart+ campaigns, one row per
    Smart+ ad, advertiser-local day and placement (Lemon8 and PineDrama included).
-#}

with source as (

    {{ latest_live_versions(
        source('tiktok', 'smart_plus_ad_placement_report_daily'),
        ['advertiser_id', 'ad_id_v2', 'stat_time_day', 'placement']) }}

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        ad_id_v2 as ad_id,
        ---------- strings
        placement,
        ---------- numerics
        {{ tiktok_metric('spend', 'decimal(18, 2)') }} as spend,
        {{ tiktok_metric('impressions', dbt.type_bigint()) }} as impressions,
        {{ tiktok_metric('clicks', dbt.type_bigint()) }} as clicks,
        {{ tiktok_metric('conversion', dbt.type_bigint()) }} as conversions,
        {{ tiktok_metric('complete_payment', 'decimal(18, 2)') }} as purchases,
        {{ tiktok_metric('total_complete_payment_rate', 'decimal(18, 2)') }}
            as purchase_value,
        ---------- dates
        stat_time_day as report_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
    from source
    where not is_removed_from_source

)

select * from renamed
