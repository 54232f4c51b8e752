{#-
    BASIC report at advertiser level, one row per advertiser and advertiser-local day:
    TikTok's own totals of all auction spend; "-" metrics become null. The mart gate checks
    that the auction ad rows of fct_ad_performance_daily add up to these.
-#}

with source as (

    {{ latest_live_versions(
        source('tiktok', 'advertiser_report_daily'), ['advertiser_id', 'stat_time_day']) }}

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        ---------- numerics
        {{ tiktok_metric('spend', 'decimal(18, 2)') }} as spend,
        {{ tiktok_metric('impressions', dbt.type_bigint()) }} as impressions,
        {{ tiktok_metric('clicks', dbt.type_bigint()) }} as clicks,
        ---------- dates
        stat_time_day as report_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
    from source
    where not is_removed_from_source

)

select * from renamed
