{#-
    Daily delivery and purchase results per ad and placement, Meta and TikTok. One row per
    platform x report_date x ad account x campaign x ad set (ad group) x ad x
    publisher_platform x platform_position; column names and types are a contract with the
    dashboards. Money in the reporting currency follows the fx_conversion_rule doc:
    converted and rounded per row, never from summed amounts. Automation flags are the
    settings in effect on the report day (int_placement_performance_daily_unioned).

    Incremental like fct_ad_performance_daily: a run rebuilds only the last
    incremental_lookback_days days (counted back from the newest report_date already built),
    which a pre-hook first deletes, so restated and vanished rows inside the window are
    replaced; older days are rebuilt only when a load
    since the last successful build covered them (a backfill; see lookback_start) or on a
    full refresh.
-#}
{%- set reporting_currency = socialmart.reporting_currency() -%}
{%- set lookback_days = var('incremental_lookback_days', 28) | int -%}
{%- set window_start = lookback_start(this, 'report_date', lookback_days)
    if is_incremental() else none -%}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=[
        'platform', 'report_date', 'ad_account_id', 'campaign_id', 'adset_id', 'ad_id',
        'publisher_platform', 'platform_position',
    ],
    on_schema_change='fail',
    pre_hook=["{{ delete_lookback_window() }}"],
) }}

with placement_performance as (

    select * from {{ ref('int_placement_performance_daily_unioned') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_daily') }}
    where to_currency = '{{ reporting_currency }}'

),

in_window as (

    select * from placement_performance
    {% if is_incremental() -%}
    where report_date >= {{ window_start }}
    {%- endif %}

),

final as (

    select
        platform,
        report_date,
        ad_account_id,
        account_currency,
        campaign_id,
        campaign_name,
        adset_id,
        adset_name,
        ad_id,
        ad_name,
        publisher_platform,
        platform_position,
        spend,
        impressions,
        clicks,
        purchases,
        purchase_value,
        {%- for window in meta_attribution_windows() %}
        purchases_{{ window }},
        purchase_value_{{ window }},
        {%- endfor %}
        cast('{{ reporting_currency }}' as {{ dbt.type_string() }}) as reporting_currency,
        {{ convert_amount('spend', 'fx_rates.from_per_eur', 'fx_rates.to_per_eur') }}
            as spend_reporting,
        {{ convert_amount('purchase_value', 'fx_rates.from_per_eur', 'fx_rates.to_per_eur') }}
            as purchase_value_reporting,
        is_advantage_plus_campaign,
        placement_mode,
        threads_inclusion
    from in_window
    left join fx_rates
        on fx_rates.rate_date = in_window.report_date
        and fx_rates.from_currency = in_window.account_currency

)

select * from final
