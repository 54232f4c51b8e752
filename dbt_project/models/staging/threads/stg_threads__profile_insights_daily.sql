{#- One row per Threads profile and UTC day: the latest non-deleted raw version. -#}

{% call present_rows_staging(
    source('threads', 'profile_insights_daily'), ['profile_id', 'report_date'],
) -%}
        ---------- ids
        profile_id,
        ---------- numerics
        views,
        likes,
        replies,
        reposts,
        quotes,
        clicks,
        followers_count,
        ---------- json
        clicks_by_url,
        ---------- dates
        report_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
{%- endcall %}
