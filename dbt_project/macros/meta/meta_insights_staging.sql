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

    With `holds_every_day` false, a build without the table (first build, full refresh)
    writes only the days an incremental run would re-derive, counted back from raw's newest
    day (lookback_start of the raw table), instead of every day: the placement report's
    only reader rebuilds from raw on such a build (fct_placement_performance_daily), so its
    17 M older rows would be written for nothing. Incremental runs then add their days as
    usual, so the table holds every day from its first build's window on.
-#}
{% macro meta_insights_staging(source_relation, breakdown_columns=[], holds_every_day=true) %}
{{ lookback_incremental_config(incremental_strategy='append') }}
{%- if is_incremental() or holds_every_day -%}
    {%- set first_day = lookback_first_day('report_date') -%}
{%- else -%}
    {%- set first_day = lookback_start(
        source_relation, 'date_start', var('incremental_lookback_days', 28)) -%}
{%- endif -%}
{{ meta_insights_rows(source_relation, breakdown_columns, first_day) }}
{% endmacro %}


{#
    The select of meta_insights_staging: the report's staged rows from `first_day` on
    (a SQL date expression; none: every day).
#}
{% macro meta_insights_rows(source_relation, breakdown_columns, first_day) -%}
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
{%- endmacro %}


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
