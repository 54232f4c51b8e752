{#
    First day fct_conversion_restatements rebuilds: the earliest lookback_start of the raw
    reports whose versions it compares (Meta's base report, TikTok's BASIC report and GMV
    Max campaign days), so a load of any of them reaches the mart.
#}
{% macro restatement_window_start() -%}
    {%- set days = var('incremental_lookback_days', 28) -%}
    least(
        {{ lookback_start(source('meta', 'ad_insights'), 'date_start', days) }},
        {{ lookback_start(source('tiktok', 'ad_report_daily'), 'stat_time_day', days) }},
        {{ lookback_start(source('tiktok', 'gmv_max_report_daily'), 'stat_time_day', days) }}
    )
{%- endmacro %}
