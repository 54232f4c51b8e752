{#- One row per Threads post: its latest lifetime insights reading. -#}

{% call present_rows_staging(
    source('threads', 'post_insights'), ['profile_id', 'post_id'],
) -%}
        ---------- ids
        profile_id,
        post_id,
        ---------- numerics
        views,
        likes,
        replies,
        reposts,
        quotes,
        shares,
        ---------- dates
        post_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
{%- endcall %}
