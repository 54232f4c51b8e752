{#- One row per Instagram media: its latest lifetime insights reading. -#}

{% call latest_live_staging(
    source('instagram', 'media_insights'), ['ig_account_id', 'media_id'],
    where='not is_removed_from_source',
) -%}
        ---------- ids
        ig_account_id,
        media_id,
        ---------- strings
        status as insights_status,
        status_detail as insights_status_detail,
        ---------- numerics
        reach,
        views,
        likes,
        comments,
        shares,
        saved,
        total_interactions,
        ---------- booleans
        coalesce(status = 'available', false) as has_insights,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
{%- endcall %}
