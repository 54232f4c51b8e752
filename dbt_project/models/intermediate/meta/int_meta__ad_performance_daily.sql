{#-
    Meta's rows of the cross-platform ad-performance shape (contract shared with
    int_tiktok__ad_performance_daily): one row per ad x account-local day, from the base
    report (no breakdowns), which is the ad total Meta reports. conversions = the
    configured purchase action under the ad set's attribution setting.
-#}

with

insights as (select * from {{ ref('stg_meta__ad_insights') }}),

accounts as (select * from {{ ref('stg_meta__ad_accounts') }}),

final as (

    select
        cast('meta' as {{ dbt.type_string() }}) as platform,
        insights.ad_account_id,
        insights.account_currency,
        accounts.account_timezone,
        insights.campaign_id,
        insights.campaign_name,
        insights.adset_id as adgroup_id,
        insights.adset_name as adgroup_name,
        insights.ad_id,
        insights.ad_name,
        insights.report_date,
        insights.spend,
        insights.impressions,
        insights.clicks,
        cast(insights.purchases as {{ dbt.type_bigint() }}) as conversions,
        insights.purchases,
        insights.purchase_value,
        {{ select_columns(attribution_window_columns(), 'insights') }},
        false as is_clickless
    from insights
    left join accounts using (ad_account_id)

)

select * from final
