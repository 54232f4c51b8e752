{#-
    Daily delivery and purchase results per ad and placement, Meta and TikTok. One row per
    platform x report_date x ad account x campaign x ad set (ad group) x ad x
    publisher_platform x platform_position; column names and types are a contract with the
    dashboards. Money in the reporting currency follows the fx_conversion_rule doc:
    converted and rounded per row, never from summed amounts. Automation flags are the
    settings in effect on the report day (int_placement_performance_daily_unioned).
    A build without the table reads every day straight from raw, an incremental run the
    staged days (placement_performance_input).

    Incremental like fct_ad_performance_daily: a run rebuilds only the last
    incremental_lookback_days days (counted back from the newest report_date already built),
    which a pre-hook first deletes, so restated and vanished rows inside the window are
    replaced; older days are rebuilt only when a load
    since the last successful build covered them (a backfill; see lookback_start) or on a
    full refresh.
-#}
{{ lookback_incremental_config(unique_key=[
    'platform', 'report_date', 'ad_account_id', 'campaign_id', 'adset_id', 'ad_id',
    'publisher_platform', 'platform_position',
]) }}

-- depends_on: {{ ref('int_placement_performance_daily_unioned') }}
-- depends_on: {{ ref('stg_meta__ad_insights_placement') }}

with placement_performance as (

    select * from {{ placement_performance_input() }}
    {{ in_lookback_window() }}

),

fx_rates as (

    {{ reporting_fx_rates() }}

),

final as (

    select
        placement_performance.platform,
        placement_performance.report_date,
        placement_performance.ad_account_id,
        placement_performance.account_currency,
        placement_performance.campaign_id,
        placement_performance.campaign_name,
        placement_performance.adset_id,
        placement_performance.adset_name,
        placement_performance.ad_id,
        placement_performance.ad_name,
        placement_performance.publisher_platform,
        placement_performance.platform_position,
        placement_performance.spend,
        placement_performance.impressions,
        placement_performance.clicks,
        placement_performance.purchases,
        placement_performance.purchase_value,
        {{ select_columns(attribution_window_columns(), 'placement_performance') }},
        {{ reporting_amounts(['spend', 'purchase_value'], 'placement_performance') }},
        placement_performance.is_advantage_plus_campaign,
        placement_performance.placement_mode,
        placement_performance.threads_inclusion
    from placement_performance
    left join fx_rates
        on fx_rates.rate_date = placement_performance.report_date
        and fx_rates.from_currency = placement_performance.account_currency

)

select * from final
