{#-
    One row per TikTok ad (deleted ones included): the latest raw version. Spark Ads run
    under a creator's identity (AUTH_CODE, TT_USER, BC_AUTH_TT, TTS_TT) on the creator's post
    (tiktok_item_id); CUSTOMIZED_USER is the advertiser's own custom identity, never Spark.
-#}

with source as (

    {{ latest_live_versions(source('tiktok', 'ads'), ['advertiser_id', 'ad_id']) }}

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        campaign_id,
        adgroup_id,
        ad_id,
        identity_id,
        identity_authorized_bc_id,
        tiktok_item_id,
        ---------- strings
        ad_name,
        ad_format,
        operation_status,
        secondary_status,
        identity_type,
        display_name as identity_display_name,
        ---------- booleans
        coalesce(
            identity_type in ('AUTH_CODE', 'TT_USER', 'BC_AUTH_TT', 'TTS_TT')
            and tiktok_item_id is not null,
            false
        ) as is_spark_ad,
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
