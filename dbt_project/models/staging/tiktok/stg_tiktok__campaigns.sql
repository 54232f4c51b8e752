{#- One row per TikTok campaign (deleted ones included): the latest raw version. -#}

with source as (

    {{ latest_live_versions(
        source('tiktok', 'campaigns'), ['advertiser_id', 'campaign_id']) }}

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        campaign_id,
        ---------- strings
        campaign_name,
        campaign_type,
        objective_type,
        budget_mode,
        operation_status,
        secondary_status,
        ---------- numerics
        cast(budget as decimal(18, 2)) as budget,
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
