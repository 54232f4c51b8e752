{#
    CTEs ending in `latest_live_raw`: the rows of `source_relation` (days from `first_day`
    on, if given) that are the latest version of their key (`_pulled_at`, then `_sync_id`)
    and not a tombstone, with every raw column.
#}
{% macro latest_live_raw_rows(source_relation, key_columns, day_column, first_day) -%}
    {{ return(adapter.dispatch('latest_live_raw_rows', 'socialmart')(
        source_relation, key_columns, day_column, first_day)) }}
{%- endmacro %}

{% macro default__latest_live_raw_rows(source_relation, key_columns, day_column, first_day) %}
source as (

    select * from {{ source_relation }}
    {% if first_day is not none -%}
    where {{ day_column }} >= {{ first_day }}
    {%- endif %}

),

versions_ranked as (

    select
        *,
        row_number() over (
            partition by {{ key_columns | join(', ') }}
            order by _pulled_at desc, _sync_id desc
        ) as version_rank
    from source

),

latest_live_raw as (

    select * from versions_ranked
    where version_rank = 1 and not _is_deleted

)
{%- endmacro %}

{#
    DuckDB: most keys have one version, so only keys whose hash repeats are ranked, on
    their key columns alone, to list the superseded rows by rowid; the raw table is then
    read once through an anti join. The wide JSON columns are never sorted or spilled, and
    the result roughly keeps the raw table's order (by load, so by day: date filters prune).
    A hash collision only adds keys to the ranking, never hides a repeat.
#}
{% macro duckdb__latest_live_raw_rows(source_relation, key_columns, day_column, first_day) %}
{%- if source_relation.is_cte -%}
    {#- A unit test's given rows: a CTE has no rowid. -#}
    {{ return(default__latest_live_raw_rows(source_relation, key_columns, day_column, first_day)) }}
{%- endif -%}
{%- set keys = key_columns | join(', ') -%}
{%- set in_window -%}
    {% if first_day is not none %}where {{ day_column }} >= {{ first_day }}{% endif %}
{%- endset -%}
repeated_keys as (

    select hash({{ keys }}) as key_hash
    from {{ source_relation }}
    {{ in_window }}
    group by 1
    having count(*) > 1

),

superseded as (

    select rowid as superseded_rowid
    from {{ source_relation }}
    {{ in_window }}
    {{ 'and' if first_day is not none else 'where' }}
        hash({{ keys }}) in (select key_hash from repeated_keys)
    qualify row_number() over (
        partition by {{ keys }}
        order by _pulled_at desc, _sync_id desc
    ) > 1

),

latest_live_raw as (

    select source.*
    from {{ source_relation }} as source
    anti join superseded on superseded.superseded_rowid = source.rowid
    {{ in_window }}
    {{ 'and' if first_day is not none else 'where' }} not source._is_deleted

)
{%- endmacro %}
