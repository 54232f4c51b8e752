{#-
    One row per Upgraded Smart+ ad group (deleted ones included): the latest raw version,
    with its placements and TikTok subplacements (Lemon8, PineDrama) as JSON text.
-#}

with source as (

    {{ latest_live_versions(
        source('tiktok', 'smart_plus_adgroups'), ['advertiser_id', 'adgroup_id']) }}

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        campaign_id,
        adgroup_id,
        ---------- strings
        adgroup_name,
        placement_type,
        cast(placements as {{ dbt.type_string() }}) as placements_json,
        cast(tiktok_subplacements as {{ dbt.type_string() }}) as tiktok_subplacements_json,
        promotion_type,
        optimization_goal,
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
