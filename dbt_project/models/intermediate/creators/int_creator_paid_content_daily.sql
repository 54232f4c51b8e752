{#-
    Paid delivery of creator content per platform, creator identity, day and currency:
    Meta partnership ads (author's Instagram user id, account-local day, account currency)
    and TikTok Spark Ads (identity id, advertiser-local day, advertiser currency).

    is_shop_promotion marks Spark Ads of ad groups promoting TikTok Shop (TIKTOK_SHOP,
    VIDEO_SHOPPING, LIVE_SHOPPING): their purchases are Shop orders placed through the
    creator's post. revenue_in_order_book is the part of that purchase value the loaded
    affiliate order book also holds (int_creator_spark_order_book_overlap): the only part
    counted twice (see creator_driven_revenue).
-#}

with meta_insights as (

    select * from {{ ref('stg_meta__ad_insights') }}

),

meta_partnership_ads as (

    select * from {{ ref('int_creator_meta_partnership_ads') }}

),

tiktok_report as (

    select * from {{ ref('stg_tiktok__ad_report_daily') }}

),

tiktok_ads as (

    select * from {{ ref('int_tiktok__ads_joined') }}
    where not is_smart_plus_ad

),

tiktok_advertisers as (

    select * from {{ ref('stg_tiktok__advertisers') }}

),

spark_order_book_overlap as (

    select * from {{ ref('int_creator_spark_order_book_overlap') }}

),

meta_days as (

    select
        cast('meta' as {{ dbt.type_string() }}) as platform,
        cast('instagram_user_id' as {{ dbt.type_string() }}) as identity_type,
        meta_partnership_ads.author_instagram_user_id as identity_value,
        meta_insights.report_date,
        meta_insights.account_currency as currency,
        false as is_shop_promotion,
        meta_insights.spend,
        meta_insights.purchase_value,
        cast(0 as {{ type_money() }}) as revenue_in_order_book
    from meta_insights
    inner join meta_partnership_ads
        on meta_partnership_ads.ad_account_id = meta_insights.ad_account_id
        and meta_partnership_ads.ad_id = meta_insights.ad_id

),

tiktok_days as (

    select
        cast('tiktok' as {{ dbt.type_string() }}) as platform,
        cast('tiktok_identity_id' as {{ dbt.type_string() }}) as identity_type,
        tiktok_ads.identity_id as identity_value,
        tiktok_report.report_date,
        tiktok_advertisers.account_currency as currency,
        coalesce(
            tiktok_ads.promotion_type in ('TIKTOK_SHOP', 'VIDEO_SHOPPING', 'LIVE_SHOPPING'),
            false
        ) as is_shop_promotion,
        tiktok_report.spend,
        tiktok_report.purchase_value,
        coalesce(spark_order_book_overlap.revenue_in_order_book, 0) as revenue_in_order_book
    from tiktok_report
    inner join tiktok_ads
        on tiktok_ads.advertiser_id = tiktok_report.advertiser_id
        and tiktok_ads.ad_id = tiktok_report.ad_id
    left join tiktok_advertisers
        on tiktok_advertisers.advertiser_id = tiktok_report.advertiser_id
    left join spark_order_book_overlap
        on spark_order_book_overlap.advertiser_id = tiktok_report.advertiser_id
        and spark_order_book_overlap.ad_id = tiktok_report.ad_id
        and spark_order_book_overlap.report_date = tiktok_report.report_date
    where tiktok_ads.is_spark_ad

),

paid_days as (

    select * from meta_days
    union all
    select * from tiktok_days

),

final as (

    select
        platform,
        identity_type,
        identity_value,
        currency,
        is_shop_promotion,
        report_date,
        cast(sum(coalesce(spend, 0)) as {{ type_money() }}) as spend,
        cast(sum(coalesce(purchase_value, 0)) as {{ type_money() }}) as purchase_value,
        cast(sum(revenue_in_order_book) as {{ type_money() }}) as revenue_in_order_book
    from paid_days
    group by platform, identity_type, identity_value, currency, is_shop_promotion, report_date

)

select * from final
