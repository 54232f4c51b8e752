{#- One row per Threads post: the latest non-deleted raw version. -#}

{% call present_rows_staging(
    source('threads', 'posts'), ['profile_id', 'id'],
) -%}
        ---------- ids
        profile_id,
        id as post_id,
        ---------- strings
        username,
        media_product_type,
        media_type,
        permalink,
        {{ adapter.quote('text') }} as post_text,
        ---------- dates
        post_date,
        ---------- timestamps
        {{ utc_timestamp(adapter.quote('timestamp')) }} as posted_at,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
{%- endcall %}
