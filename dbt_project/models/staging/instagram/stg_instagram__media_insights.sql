{#- One row per Instagram media: its latest lifetime insights reading. -#}

{% call present_rows_staging(
    source('instagram', 'media_insights'), ['ig_account_id', 'media_id'],
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
