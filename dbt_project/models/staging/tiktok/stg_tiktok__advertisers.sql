{#- One row per TikTok advertiser: the latest non-deleted raw version. -#}

{% call latest_live_staging(source('tiktok', 'advertisers'), ['advertiser_id']) -%}
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
{%- endcall %}
