{#-
    Delivery of TikTok Spark Ads (ads running a creator's post) per advertiser, ad and
    advertiser-local day, from the BASIC report, with the creator identity and post the ad
    promotes and the advertiser's currency and time zone. is_shop_promotion marks ads of
    ad groups promoting TikTok Shop (TIKTOK_SHOP, VIDEO_SHOPPING, LIVE_SHOPPING): their
    purchases are Shop orders placed through the post. Upgraded Smart+ ads are no Spark Ads.
-#}

with

ad_report as (select * from {{ ref('stg_tiktok__ad_report_daily') }}),

spark_ads as (

    select * from {{ ref('int_tiktok__ads_joined') }}
    where not is_smart_plus_ad and is_spark_ad

),

advertisers as (select * from {{ ref('stg_tiktok__advertisers') }}),

final as (

    select
        ad_report.advertiser_id,
        ad_report.ad_id,
        spark_ads.identity_id,
        spark_ads.tiktok_item_id,
        advertisers.account_currency as currency,
        advertisers.account_timezone,
        coalesce(
            spark_ads.promotion_type in ('TIKTOK_SHOP', 'VIDEO_SHOPPING', 'LIVE_SHOPPING'),
            false
        ) as is_shop_promotion,
        ad_report.report_date,
        ad_report.spend,
        ad_report.purchase_value
    from ad_report
    inner join spark_ads using (advertiser_id, ad_id)
    left join advertisers using (advertiser_id)

)

select * from final
