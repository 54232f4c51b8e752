{#-
    Cross-platform daily ad performance: one row per platform x ad account x ad x
    account-local day, money in account currency and in the reporting currency, with the
    efficiency ratios computed safely (exact_ratio: null instead of a division by zero).
    Clickless rows (TikTok GMV Max) stay out of CPC, CTR and CPM, whose denominators they
    would distort, and out of ROAS: GMV Max revenue counts every order of the promoted
    products while the campaign runs (paid, organic and affiliate), not ad-attributed
    purchases, so it is labelled revenue_attribution = 'gmv_max_all_orders' and its
    revenue / spend is gmv_max_roi, never roas.

    Incremental: a run rebuilds only the last incremental_lookback_days days (counted back
    from the newest report_date already in the mart), which a pre-hook first deletes, so restated and
    vanished rows inside the window are replaced; older days are rebuilt only when a load
    since the last successful build covered them (a backfill; see lookback_start) or on a
    full refresh.
-#}
{{ lookback_incremental_config(
    unique_key=['platform', 'ad_account_id', 'ad_id', 'report_date'],
) }}

with ad_performance as (

    select * from {{ ref('int_ad_performance_daily_unioned') }}
    {{ in_lookback_window() }}

),

fx_rates as (

    {{ reporting_fx_rates() }}

),

converted as (

    select
        ad_performance.*,
        {{ reporting_amounts(['spend', 'purchase_value'], 'ad_performance') }},
        case when ad_performance.is_clickless then null else ad_performance.clicks end
            as ratio_clicks,
        case when ad_performance.is_clickless then null else ad_performance.impressions end
            as ratio_impressions,
        -- Clickless rows are exactly the GMV Max campaign days (int_tiktok__ad_performance_daily).
        case
            when ad_performance.platform = 'tiktok' and ad_performance.is_clickless
                then 'gmv_max_all_orders'
            else 'ad_attributed'
        end as revenue_attribution
    from ad_performance
    left join fx_rates
        on fx_rates.rate_date = ad_performance.report_date
        and fx_rates.from_currency = ad_performance.account_currency

),

final as (

    select
        platform,
        ad_account_id,
        account_currency,
        account_timezone,
        campaign_id,
        campaign_name,
        adset_id,
        adset_name,
        ad_id,
        ad_name,
        report_date,
        spend,
        impressions,
        clicks,
        conversions,
        purchases,
        purchase_value,
        {{ select_columns(attribution_window_columns()) }},
        reporting_currency,
        spend_reporting,
        purchase_value_reporting,
        case
            when revenue_attribution = 'ad_attributed'
                then {{ exact_ratio('purchase_value', 'spend', 4) }}
        end as roas,
        case
            when revenue_attribution = 'gmv_max_all_orders'
                then {{ exact_ratio('purchase_value', 'spend', 4) }}
        end as gmv_max_roi,
        {{ exact_ratio('spend', 'purchases', 2) }} as cpa,
        {{ exact_ratio('spend', 'ratio_clicks', 2) }} as cpc,
        {{ exact_ratio('ratio_clicks', 'ratio_impressions', 6) }} as ctr,
        {{ exact_ratio('spend * 1000', 'ratio_impressions', 2) }} as cpm,
        is_clickless,
        cast(revenue_attribution as {{ dbt.type_string() }}) as revenue_attribution
    from converted

)

select * from final
