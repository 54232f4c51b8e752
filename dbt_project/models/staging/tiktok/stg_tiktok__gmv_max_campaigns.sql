{#- One row per GMV Max campaign: the latest non-deleted raw version. -#}

with source as (

    {{ latest_live_versions(
        source('tiktok', 'gmv_max_campaigns'), ['advertiser_id', 'campaign_id']) }}

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        store_id,
        campaign_id,
        ---------- strings
        campaign_name,
        gmv_max_promotion_type,
        objective_type,
        operation_status,
        secondary_status,
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
