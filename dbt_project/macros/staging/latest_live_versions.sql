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


{#
    The body of a staging model over a versioned raw table: the latest live version per
    `key_columns` (latest_live_versions above), renamed and cast by the select list of the
    calling block:
        {% call latest_live_staging(source('x', 'y'), ['id']) %} id as y_id {% endcall %}
#}
{% macro latest_live_staging(relation, key_columns) %}
with source as (

    {{ latest_live_versions(relation, key_columns) }}

),

renamed as (

    select
        {{ caller() }}
    from source

)

select * from renamed
{% endmacro %}


{#
    The body of a staging model over only the objects the source still returns: for every
    key, its latest version, left out when that version is a tombstone (readings, insights
    and order lines stop counting once the platform stops returning them), renamed and
    cast by the select list of the calling block, optionally filtered further by `where`.
    The latest version comes from latest_live_raw_rows: one ranking (on DuckDB, of the
    keys whose hash repeats only), where latest_live_versions ranks the table twice to
    keep a removed object's last payload, which these rows do not need.
#}
{% macro present_rows_staging(relation, key_columns, where=none) %}
with {{ latest_live_raw_rows(relation, key_columns, none, none) }},

renamed as (

    select
        {{ caller() }}
    from latest_live_raw
    {%- if where %}
    where {{ where }}
    {%- endif %}

)

select * from renamed
{% endmacro %}


{#
    The body of a staging model over every stored version of a versioned raw table (not
    only the latest; tombstones carry no payload and are left out), renamed and cast by the
    select list of the calling block, optionally filtered further by `where`.
#}
{% macro every_version_staging(relation, where=none) %}
with source as (

    select * from {{ relation }}
    where not _is_deleted
    {%- if where %}
        and {{ where }}
    {%- endif %}

),

renamed as (

    select
        {{ caller() }}
    from source

)

select * from renamed
{% endmacro %}
