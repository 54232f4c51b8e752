{#-
    One row per Upgraded Smart+ ad (deleted ones included): the latest raw version. Its id is
    `smart_plus_ad_id` (reports: `ad_id_v2`), here `ad_id` like every other ad; its creatives
    stay as TikTok's `creative_list` JSON text.
-#}

with source as (

    {{ latest_live_versions(
        source('tiktok', 'smart_plus_ads'), ['advertiser_id', 'smart_plus_ad_id']) }}

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        campaign_id,
        adgroup_id,
        smart_plus_ad_id as ad_id,
        ---------- strings
        ad_name,
        operation_status,
        secondary_status,
        cast(creative_list as {{ dbt.type_string() }}) as creative_list_json,
        ---------- timestamps (advertiser time zone, as TikTok sends them)
        cast(create_time as timestamp) as created_at_local,
        cast(modify_time as timestamp) as modified_at_local,
        ---------- load metadata
        is_removed_from_source,
        _sync_id as sync_id,
        _pulled_at as pulled_at
    from source

)

select * from renamed
