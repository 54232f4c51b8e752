{#
    The cross-platform shapes' columns. Each column's type is declared once, by name
    (column_kinds); each shape lists its columns in order (columns_of turns the names into
    (name, type) pairs, the type a key of column_types). union_platforms selects and casts
    them for every platform, the marts publish them.
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

{#- Every cross-platform column by type: one type per name, in every shape. -#}
{% macro column_kinds() -%}
    {%- set names_by_kind = {
        'string': '
            platform ad_account_id ad_account_name account_currency account_timezone
            business_id business_name advertiser_status campaign_id campaign_name
            adset_id adset_name ad_id ad_name creative_id creative_name
            source_instagram_media_id tiktok_identity_id tiktok_item_id gmv_max_store_id
            publisher_platform platform_position placement_mode threads_inclusion
            attribution_window status effective_status objective buying_type bid_strategy
            budget_mode smart_promotion_type advantage_state advantage_placement_state
            gmv_max_promotion_type',
        'int': 'account_status',
        'bigint': '
            impressions clicks conversions pull_number reverse_pull_number
            daily_budget_minor_units lifetime_budget_minor_units',
        'money': 'spend purchases purchase_value budget',
        'boolean': '
            is_clickless is_advantage_plus_campaign is_gmv_max_campaign
            is_smart_plus_campaign is_partnership_ad is_spark_ad is_deleted
            is_removed_from_source',
        'date': 'report_date',
        'timestamp': 'pulled_at created_at updated_at started_at stopped_at',
    } -%}
    {%- set kinds = {} -%}
    {%- for kind, names in names_by_kind.items() -%}
        {%- for name in names.split() -%}
            {%- do kinds.update({name: kind}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(kinds) }}
{%- endmacro %}

{#- (name, type) pairs of the whitespace-separated column names `names`, in order. -#}
{% macro columns_of(names) -%}
    {%- set kinds = column_kinds() -%}
    {%- set columns = [] -%}
    {%- for name in names.split() -%}
        {%- do columns.append((name, kinds[name])) -%}
    {%- endfor -%}
    {{ return(columns) }}
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

{#-
    A select list of `columns` ((name, type) pairs): `relation.name` for each (the bare name
    without `relation`), or with nulls=true a null of the column's type under each name (a
    platform without such columns).
-#}
{% macro select_columns(columns, relation=none, nulls=false) -%}
    {%- set types = column_types() -%}
    {%- for name, data_type in columns -%}
        {%- if nulls -%}
        cast(null as {{ types[data_type] }}) as {{ name }}
        {%- else -%}
        {{ relation ~ '.' if relation }}{{ name }}
        {%- endif -%}
        {{ ',\n        ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- One row per platform x ad account x ad x account-local day (fct_ad_performance_daily). -#}
{% macro ad_performance_columns() -%}
    {{ return(columns_of('
        platform ad_account_id account_currency account_timezone campaign_id campaign_name
        adset_id adset_name ad_id ad_name report_date spend impressions clicks conversions
        purchases purchase_value
    ') + attribution_window_columns() + columns_of('is_clickless')) }}
{%- endmacro %}

{#- One row per ad, day and placement (fct_placement_performance_daily). -#}
{% macro placement_performance_columns() -%}
    {{ return(columns_of('
        platform report_date ad_account_id account_currency campaign_id campaign_name
        adset_id adset_name ad_id ad_name publisher_platform platform_position
        spend impressions clicks purchases purchase_value
    ') + attribution_window_columns() + columns_of('
        is_advantage_plus_campaign placement_mode threads_inclusion
    ')) }}
{%- endmacro %}

{#- One row per stored version of an ad day's conversions (fct_conversion_restatements). -#}
{% macro conversion_version_columns() -%}
    {{ return(columns_of('
        platform ad_account_id ad_id account_currency attribution_window
        purchases purchase_value is_gmv_max_campaign report_date
        pulled_at pull_number reverse_pull_number
    ')) }}
{%- endmacro %}

{#- One row per ad account (dim_ad_accounts). -#}
{% macro ad_account_columns() -%}
    {{ return(columns_of('
        platform ad_account_id business_id ad_account_name account_currency
        account_timezone business_name advertiser_status account_status
        is_removed_from_source created_at
    ')) }}
{%- endmacro %}

{#- One row per ad (dim_ads). -#}
{% macro ad_columns() -%}
    {{ return(columns_of('
        platform ad_id ad_account_id campaign_id adset_id creative_id
        source_instagram_media_id tiktok_identity_id tiktok_item_id
        ad_name adset_name creative_name status effective_status
        placement_mode threads_inclusion is_partnership_ad is_spark_ad
        is_deleted is_removed_from_source created_at updated_at
    ')) }}
{%- endmacro %}

{#- One row per campaign (dim_campaigns). -#}
{% macro campaign_columns() -%}
    {{ return(columns_of('
        platform campaign_id ad_account_id gmv_max_store_id campaign_name
        account_currency objective status effective_status buying_type
        bid_strategy budget_mode smart_promotion_type advantage_state
        advantage_placement_state gmv_max_promotion_type
        daily_budget_minor_units lifetime_budget_minor_units budget
        is_advantage_plus_campaign is_gmv_max_campaign is_smart_plus_campaign
        is_deleted is_removed_from_source started_at stopped_at created_at updated_at
    ')) }}
{%- endmacro %}
