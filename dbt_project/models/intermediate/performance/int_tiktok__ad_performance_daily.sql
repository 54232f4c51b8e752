{#-
    TikTok delivery and purchase results per ad and advertiser-local day, in the
    cross-platform ad-performance shape (unioned with Meta's downstream).

    GMV Max campaigns have no ads: each GMV Max campaign report row becomes one row whose
    adgroup_id and ad_id are the GMV Max campaign id (ad group and ad names: the store and
    the campaign names), is_clickless = true. Their spend is `cost` (gross), purchases and
    conversions are `orders`, purchase_value is `gross_revenue`; impressions and clicks are
    null (GMV Max reports product impressions/clicks, not ad ones) so CPC, CTR and CPM of
    any aggregate stay undistorted. TikTok reports one attribution setting per ad group, so
    the Meta attribution-window columns are null.

    Upgraded Smart+ ads come from their own report by ad_id_v2 and their own entities
    (/smart_plus/*/get/), in the auction ads' shape (is_clickless = false); the ad_id report's
    rows of their creatives are left out in staging, so their spend counts once.
-#}

with report_ad_days as (

    {{ tiktok_report_rows('ad', [
        'report_date', 'spend', 'impressions', 'clicks', 'conversions', 'purchases',
        'purchase_value',
    ]) }}

),

gmv_max_report as (select * from {{ ref('stg_tiktok__gmv_max_report_daily') }}),

gmv_max_campaigns as (select * from {{ ref('stg_tiktok__gmv_max_campaigns') }}),

gmv_max_stores as (select * from {{ ref('stg_tiktok__gmv_max_stores') }}),

advertisers as (select * from {{ ref('stg_tiktok__advertisers') }}),

gmv_max_days as (

    select
        gmv_max_report.advertiser_id,
        gmv_max_report.campaign_id,
        gmv_max_campaigns.campaign_name,
        gmv_max_report.campaign_id as adgroup_id,
        gmv_max_stores.store_name as adgroup_name,
        gmv_max_report.campaign_id as ad_id,
        gmv_max_campaigns.campaign_name as ad_name,
        gmv_max_report.report_date,
        gmv_max_report.cost as spend,
        cast(null as {{ dbt.type_bigint() }}) as impressions,
        cast(null as {{ dbt.type_bigint() }}) as clicks,
        gmv_max_report.orders as conversions,
        cast(gmv_max_report.orders as {{ type_money() }}) as purchases,
        gmv_max_report.gross_revenue as purchase_value,
        true as is_clickless
    from gmv_max_report
    left join gmv_max_campaigns using (advertiser_id, campaign_id)
    left join gmv_max_stores
        on gmv_max_stores.advertiser_id = gmv_max_report.advertiser_id
        and gmv_max_stores.store_id = gmv_max_report.store_id

),

ad_days as (

    select
        *,
        false as is_clickless
    from report_ad_days
    union all
    select * from gmv_max_days

),

final as (

    select
        cast('tiktok' as {{ dbt.type_string() }}) as platform,
        ad_days.advertiser_id as ad_account_id,
        advertisers.account_currency,
        advertisers.account_timezone,
        ad_days.campaign_id,
        ad_days.campaign_name,
        ad_days.adgroup_id,
        ad_days.adgroup_name,
        ad_days.ad_id,
        ad_days.ad_name,
        ad_days.report_date,
        cast(ad_days.spend as {{ type_money() }}) as spend,
        cast(ad_days.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(ad_days.clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(ad_days.conversions as {{ dbt.type_bigint() }}) as conversions,
        cast(ad_days.purchases as {{ type_money() }}) as purchases,
        cast(ad_days.purchase_value as {{ type_money() }}) as purchase_value,
        {{ select_columns(attribution_window_columns(), nulls=true) }},
        ad_days.is_clickless
    from ad_days
    left join advertisers using (advertiser_id)

)

select * from final
