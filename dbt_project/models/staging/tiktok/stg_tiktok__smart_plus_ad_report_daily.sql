{#-
    BASIC report by ad_id_v2 for the Upgraded Smart+ campaigns, one row per Smart+ ad and
    advertiser-local day (deleted ads included); "-" metrics become null.
-#}

with source as (

    {{ latest_live_versions(
        source('tiktok', 'smart_plus_ad_report_daily'),
        ['advertiser_id', 'ad_id_v2', 'stat_time_day']) }}

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        ad_id_v2 as ad_id,
        ---------- numerics
        {{ tiktok_metric('spend', 'decimal(18, 2)') }} as spend,
        {{ tiktok_metric('impressions', dbt.type_bigint()) }} as impressions,
        {{ tiktok_metric('clicks', dbt.type_bigint()) }} as clicks,
        {{ tiktok_metric('conversion', dbt.type_bigint()) }} as conversions,
        {{ tiktok_metric('complete_payment', 'decimal(18, 2)') }} as purchases,
        {{ tiktok_metric('total_complete_payment_rate', 'decimal(18, 2)') }}
            as purchase_value,
        {{ tiktok_metric('video_play_actions', dbt.type_bigint()) }} as video_play_actions,
        {{ tiktok_metric('video_watched_2s', dbt.type_bigint()) }} as video_watched_2s,
        {{ tiktok_metric('video_views_p100', dbt.type_bigint()) }} as video_views_p100,
        ---------- dates
        stat_time_day as report_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
    from source
    where not is_removed_from_source

)

select * from renamed
