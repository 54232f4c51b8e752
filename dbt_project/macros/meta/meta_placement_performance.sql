{#
    Meta's placement rows, declared once for both ways the placement mart reads them:
    int_meta__placement_performance_daily (the staging table's days, for incremental runs)
    and int_placement_performance_daily_from_raw (every day from raw, for builds without
    the mart's table).
#}

{#- The placement report's breakdowns: its key columns beyond account, ad and day. -#}
{% macro meta_placement_breakdowns() -%}
    {{ return(['publisher_platform', 'platform_position']) }}
{%- endmacro %}

{#
    Select of the placement-performance shape over `placement_insights` (rows of
    stg_meta__ad_insights_placement's shape): the automation settings in effect on the
    report day (int_meta__adset_automation_versions) joined to each row.
#}
{% macro meta_placement_performance(placement_insights) -%}
    select
        cast('meta' as {{ dbt.type_string() }}) as platform,
        placement_insights.report_date,
        placement_insights.ad_account_id,
        placement_insights.account_currency,
        placement_insights.campaign_id,
        placement_insights.campaign_name,
        placement_insights.adset_id,
        placement_insights.adset_name,
        placement_insights.ad_id,
        placement_insights.ad_name,
        placement_insights.publisher_platform,
        placement_insights.platform_position,
        placement_insights.spend,
        placement_insights.impressions,
        placement_insights.clicks,
        placement_insights.purchases,
        placement_insights.purchase_value,
        {{ select_columns(attribution_window_columns(), 'placement_insights') }},
        automation_versions.is_advantage_plus_campaign,
        automation_versions.placement_mode,
        automation_versions.threads_inclusion
    from {{ placement_insights }} as placement_insights
    left join {{ ref('int_meta__adset_automation_versions') }} as automation_versions
        on automation_versions.adset_id = placement_insights.adset_id
        and {{ in_effect_on('placement_insights.report_date', 'automation_versions') }}
{%- endmacro %}
