{#- One row per TikTok advertiser: the latest non-deleted raw version. -#}

with source as (

    {{ latest_live_versions(source('tiktok', 'advertisers'), ['advertiser_id']) }}

),

renamed as (

    select
        ---------- ids
        advertiser_id,
        ---------- strings
        name as advertiser_name,
        currency as account_currency,
        coalesce(display_timezone, timezone) as account_timezone,
        display_timezone,
        status as advertiser_status,
        country as country_code,
        ---------- timestamps
        {{ dbt.dateadd('second', 'create_time', "cast('1970-01-01' as timestamp)") }}
            as created_at,
        ---------- load metadata
        is_removed_from_source,
        _sync_id as sync_id,
        _pulled_at as pulled_at
    from source

)

select * from renamed
