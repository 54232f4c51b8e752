{#-
    One row per Upgraded Smart+ campaign (deleted ones included): the latest raw version.
    /smart_plus/campaign/get/ lists them; /campaign/get/ does not.
-#}

with source as (

    {{ latest_live_versions(
        source('tiktok', 'smart_plus_campaigns'), ['advertiser_id', 'campaign_id']) }}

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
        sales_destination,
        budget_mode,
        operation_status,
        secondary_status,
        smart_plus_adgroup_mode,
        ---------- numerics
        cast(budget as decimal(18, 2)) as budget,
        ---------- booleans
        budget_optimize_on,
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
