{#-
    How reported conversions changed across pulls: per platform x ad x day x attribution
    window, the first reported and the latest purchases and purchase value, and how many
    distinct versions were stored. Only versions whose payload changed are stored (see
    docs/architecture.md, "Raw layer"), so version_count > 1 means a restatement of some
    number of the row (spend included), not necessarily of these two.

    Meta: the base report, `default` and every attribution window. TikTok: the BASIC
    report and GMV Max campaign days (ad_id = the campaign id, is_gmv_max_campaign), as
    reported (`as_reported`), measured as in fct_ad_performance_daily.

    Incremental: a day's versions all come from pulls of that day, so a run deletes and
    re-derives only the days from lookback_start on (the incremental lookback from the
    newest day already built, or further back for a backfill), like the other
    incremental marts.
-#}
{{ lookback_incremental_config(incremental_strategy='append') }}

with unioned as (

    {{ union_platforms(conversion_version_columns(), [
        {'platform': 'meta', 'relation': ref('int_meta__conversion_versions'),
         'fields': {'is_gmv_max_campaign': 'false'}},
        {'platform': 'tiktok', 'relation': ref('int_tiktok__conversion_versions')},
    ]) }}

),

versions as (

    select * from unioned
    {{ in_lookback_window() }}

),

first_reported as (

    select * from versions
    where pull_number = 1

),

latest_reported as (

    select * from versions
    where reverse_pull_number = 1

),

final as (

    select
        latest_reported.platform,
        latest_reported.ad_account_id,
        latest_reported.ad_id,
        latest_reported.account_currency,
        latest_reported.attribution_window,
        first_reported.purchases as first_purchases,
        latest_reported.purchases as latest_purchases,
        cast(
            latest_reported.purchases - first_reported.purchases as {{ type_money() }}
        ) as purchases_change,
        first_reported.purchase_value as first_purchase_value,
        latest_reported.purchase_value as latest_purchase_value,
        cast(
            latest_reported.purchase_value - first_reported.purchase_value
            as {{ type_money() }}
        ) as purchase_value_change,
        cast(latest_reported.pull_number as {{ dbt.type_bigint() }}) as version_count,
        (
            latest_reported.purchases is distinct from first_reported.purchases
            or latest_reported.purchase_value is distinct from first_reported.purchase_value
        ) as is_restated,
        latest_reported.is_gmv_max_campaign,
        latest_reported.report_date,
        first_reported.pulled_at as first_pulled_at,
        latest_reported.pulled_at as latest_pulled_at
    from latest_reported
    inner join first_reported using (
        platform, ad_account_id, ad_id, is_gmv_max_campaign, report_date, attribution_window
    )

)

select * from final
