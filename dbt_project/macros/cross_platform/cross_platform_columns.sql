{#
    The column lists of the cross-platform shapes, each declared once: (name, type) pairs,
    the type a key of column_types. union_platforms selects and casts them for every
    platform, the marts publish them.
#}

{#- The types of the column lists, by key: the engine's types through dbt's macros. -#}
{% macro column_types() -%}
    {{ return({
        'string': dbt.type_string(),
        'bigint': dbt.type_bigint(),
        'int': dbt.type_int(),
        'boolean': dbt.type_boolean(),
        'timestamp': dbt.type_timestamp(),
        'date': 'date',
        'money': socialmart.type_money(),
    }) }}
{%- endmacro %}

{#- Purchases and purchase value per Meta attribution window (null for TikTok). -#}
{% macro attribution_window_columns() -%}
    {%- set columns = [] -%}
    {%- for window in meta_attribution_windows() -%}
        {%- do columns.extend([
            ('purchases_' ~ window, 'money'), ('purchase_value_' ~ window, 'money'),
        ]) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- One row per platform x ad account x ad x account-local day (fct_ad_performance_daily). -#}
{% macro ad_performance_columns() -%}
    {{ return([
        ('platform', 'string'), ('ad_account_id', 'string'),
        ('account_currency', 'string'), ('account_timezone', 'string'),
        ('campaign_id', 'string'), ('campaign_name', 'string'),
        ('adset_id', 'string'), ('adset_name', 'string'),
        ('ad_id', 'string'), ('ad_name', 'string'),
        ('report_date', 'date'), ('spend', 'money'),
        ('impressions', 'bigint'), ('clicks', 'bigint'), ('conversions', 'bigint'),
        ('purchases', 'money'), ('purchase_value', 'money'),
    ] + attribution_window_columns() + [('is_clickless', 'boolean')]) }}
{%- endmacro %}

{#- One row per ad, day and placement (fct_placement_performance_daily). -#}
{% macro placement_performance_columns() -%}
    {{ return([
        ('platform', 'string'), ('report_date', 'date'),
        ('ad_account_id', 'string'), ('account_currency', 'string'),
        ('campaign_id', 'string'), ('campaign_name', 'string'),
        ('adset_id', 'string'), ('adset_name', 'string'),
        ('ad_id', 'string'), ('ad_name', 'string'),
        ('publisher_platform', 'string'), ('platform_position', 'string'),
        ('spend', 'money'), ('impressions', 'bigint'), ('clicks', 'bigint'),
        ('purchases', 'money'), ('purchase_value', 'money'),
    ] + attribution_window_columns() + [
        ('is_advantage_plus_campaign', 'boolean'),
        ('placement_mode', 'string'),
        ('threads_inclusion', 'string'),
    ]) }}
{%- endmacro %}

{#- One row per stored version of an ad day's conversions (fct_conversion_restatements). -#}
{% macro conversion_version_columns() -%}
    {{ return([
        ('platform', 'string'), ('ad_account_id', 'string'), ('ad_id', 'string'),
        ('account_currency', 'string'), ('attribution_window', 'string'),
        ('purchases', 'money'), ('purchase_value', 'money'),
        ('is_gmv_max_campaign', 'boolean'), ('report_date', 'date'),
        ('pulled_at', 'timestamp'), ('pull_number', 'bigint'),
        ('reverse_pull_number', 'bigint'),
    ]) }}
{%- endmacro %}

{#- One row per ad account (dim_ad_accounts). -#}
{% macro ad_account_columns() -%}
    {{ return([
        ('platform', 'string'), ('ad_account_id', 'string'), ('business_id', 'string'),
        ('ad_account_name', 'string'), ('account_currency', 'string'),
        ('account_timezone', 'string'), ('business_name', 'string'),
        ('advertiser_status', 'string'), ('account_status', 'int'),
        ('is_removed_from_source', 'boolean'), ('created_at', 'timestamp'),
    ]) }}
{%- endmacro %}

{#- One row per ad (dim_ads). -#}
{% macro ad_columns() -%}
    {{ return([
        ('platform', 'string'), ('ad_id', 'string'), ('ad_account_id', 'string'),
        ('campaign_id', 'string'), ('adset_id', 'string'), ('creative_id', 'string'),
        ('source_instagram_media_id', 'string'), ('tiktok_identity_id', 'string'),
        ('tiktok_item_id', 'string'), ('ad_name', 'string'), ('adset_name', 'string'),
        ('creative_name', 'string'), ('status', 'string'), ('effective_status', 'string'),
        ('placement_mode', 'string'), ('threads_inclusion', 'string'),
        ('is_partnership_ad', 'boolean'), ('is_spark_ad', 'boolean'),
        ('is_deleted', 'boolean'), ('is_removed_from_source', 'boolean'),
        ('created_at', 'timestamp'), ('updated_at', 'timestamp'),
    ]) }}
{%- endmacro %}

{#- One row per campaign (dim_campaigns). -#}
{% macro campaign_columns() -%}
    {{ return([
        ('platform', 'string'), ('campaign_id', 'string'), ('ad_account_id', 'string'),
        ('gmv_max_store_id', 'string'), ('campaign_name', 'string'),
        ('account_currency', 'string'), ('objective', 'string'), ('status', 'string'),
        ('effective_status', 'string'), ('buying_type', 'string'),
        ('bid_strategy', 'string'), ('budget_mode', 'string'),
        ('smart_promotion_type', 'string'), ('advantage_state', 'string'),
        ('advantage_placement_state', 'string'), ('gmv_max_promotion_type', 'string'),
        ('daily_budget_minor_units', 'bigint'), ('lifetime_budget_minor_units', 'bigint'),
        ('budget', 'money'), ('is_advantage_plus_campaign', 'boolean'),
        ('is_gmv_max_campaign', 'boolean'), ('is_smart_plus_campaign', 'boolean'),
        ('is_deleted', 'boolean'), ('is_removed_from_source', 'boolean'),
        ('started_at', 'timestamp'), ('stopped_at', 'timestamp'),
        ('created_at', 'timestamp'), ('updated_at', 'timestamp'),
    ]) }}
{%- endmacro %}
