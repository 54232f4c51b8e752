{#-
    The staging of a Meta insights report: the latest non-deleted raw version per ad, day
    and breakdown values, cast, with the configured purchase action type's counts and values
    (default attribution and each window). The base report and the placement report differ
    only in their breakdown columns, so both models are this one call.

    It configures the calling model as incremental: picking the latest version per key
    over the whole raw history is the costliest step of a build at scale (tens of seconds
    over 19.5 M placement versions), so a run deletes and re-derives only the days from
    lookback_start on (the incremental lookback, or further back when a load since the last
    successful build covered older days). New raw versions land only inside a load's
    window, and a key's versions all share its report day, so older days cannot change and
    the latest version of every key in the window is still exact.
-#}
{% macro meta_insights_staging(source_relation, breakdown_columns=[]) %}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ delete_lookback_window() }}"],
) }}
{%- set first_day = lookback_start(
    this, 'report_date', var('incremental_lookback_days', 28)) if is_incremental() else none -%}

with {{ latest_live_raw_rows(
    source_relation,
    ['account_id', 'ad_id', 'date_start'] + breakdown_columns,
    'date_start',
    first_day,
) }},

latest_live as (

    select
        *,
        {{ meta_purchase_actions() }}
    from latest_live_raw

),

renamed as (

    select
        ---------- ids
        account_id as ad_account_id,
        campaign_id,
        adset_id,
        ad_id,
        ---------- strings
        account_currency,
        campaign_name,
        adset_name,
        ad_name,
        {%- for column in breakdown_columns %}
        {{ column }},
        {%- endfor %}
        ---------- numerics
        cast(spend as {{ type_money() }}) as spend,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        {{ meta_purchase_columns() }},
        ---------- dates
        date_start as report_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
    from latest_live

)

select * from renamed
{% endmacro %}


{#
    Select-list columns of an insights row: its `actions` and `action_values` elements of
    the configured purchase action type (var meta_purchase_action_type), as
    purchase_action and purchase_value_action, for meta_purchase_columns.
#}
{% macro meta_purchase_actions() -%}
    {%- set purchase_type = var('meta_purchase_action_type', 'omni_purchase') -%}
    {{ meta_find_action('actions', purchase_type) }} as purchase_action,
    {{ meta_find_action('action_values', purchase_type) }} as purchase_value_action
{%- endmacro %}

{#
    Select-list columns from those elements: purchases and purchase_value at the default
    attribution, then both per attribution window (null for a window not requested).
#}
{% macro meta_purchase_columns() -%}
    {{ meta_action_amount('purchase_action', 'value') }} as purchases,
    {{ meta_action_amount('purchase_value_action', 'value') }} as purchase_value
    {%- for window in meta_attribution_windows() %},
    {{ meta_window_amount('purchase_action', window) }} as purchases_{{ window }},
    {{ meta_window_amount('purchase_value_action', window) }} as purchase_value_{{ window }}
    {%- endfor %}
{%- endmacro %}


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
