{#
    Select over a versioned raw change log: for every key, its latest version that is not
    a tombstone (ordered like the loader: _pulled_at desc, then _sync_id desc), plus
    `is_removed_from_source`: true when a tombstone is newer than that version (the API
    stopped returning the object). Snapshot entities keep their last known payload this
    way, so dimensions still describe objects whose history the facts carry.
#}
{% macro latest_live_versions(relation, key_columns) -%}
    {%- set keys = key_columns | join(', ') -%}
    select
        live.*,
        coalesce(latest.is_tombstone, false) as is_removed_from_source
    from (
        select
            *,
            row_number() over (
                partition by {{ keys }}
                order by _pulled_at desc, _sync_id desc
            ) as live_rank
        from {{ relation }}
        where not _is_deleted
    ) as live
    left join (
        select
            {{ keys }},
            _is_deleted as is_tombstone,
            row_number() over (
                partition by {{ keys }}
                order by _pulled_at desc, _sync_id desc
            ) as version_rank
        from {{ relation }}
    ) as latest
        on latest.version_rank = 1
        {%- for key in key_columns %}
        and latest.{{ key }} = live.{{ key }}
        {%- endfor %}
    where live.live_rank = 1
{%- endmacro %}
