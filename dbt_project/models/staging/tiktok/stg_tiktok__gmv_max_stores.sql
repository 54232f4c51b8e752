{#- One row per advertiser and TikTok Shop store available to GMV Max. -#}

{% call latest_live_staging(
    source('tiktok', 'gmv_max_stores'), ['advertiser_id', 'store_id']
) -%}
        ---------- ids
        advertiser_id,
        store_id,
        ---------- strings
        store_name,
        store_status,
        ---------- booleans
        is_gmv_max_available,
        ---------- load metadata
        is_removed_from_source,
        _sync_id as sync_id,
        _pulled_at as pulled_at
{%- endcall %}
