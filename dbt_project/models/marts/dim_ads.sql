{#-
    One row per ad of every platform, deleted ones included, with its ad set / ad group,
    campaign, creative and placement settings. Grain: platform x ad_id.

    TikTok ad groups fill the ad set columns (adset_id, adset_name). GMV Max campaigns
    have no ads, so they have no row here: their fact rows carry the campaign id as ad_id
    and join dim_campaigns instead. Upgraded Smart+ ads (their own list, id
    smart_plus_ad_id) are TikTok ads like the others, not Spark Ads (their creatives'
    identities are not modelled here). TikTok create/modify times are converted from the
    account's zone (dim_ad_accounts.account_timezone) to UTC, as in dim_campaigns.
-#}

with

meta_ads as (select * from {{ ref('stg_meta__ads') }}),

meta_adsets as (select * from {{ ref('stg_meta__adsets') }}),

meta_adset_automation as (select * from {{ ref('int_meta__adset_automation') }}),

meta_creatives as (select * from {{ ref('stg_meta__adcreatives') }}),

tiktok_ads as (select * from {{ ref('int_tiktok__ads_joined') }}),

tiktok_accounts as (

    select * from {{ ref('dim_ad_accounts') }}
    where platform = 'tiktok'

),

meta_rows as (

    select
        meta_ads.ad_id,
        meta_ads.ad_account_id,
        meta_ads.campaign_id,
        meta_ads.adset_id,
        meta_ads.creative_id,
        meta_creatives.source_instagram_media_id,
        meta_ads.ad_name,
        meta_adsets.adset_name,
        meta_creatives.creative_name,
        meta_ads.status,
        meta_ads.effective_status,
        meta_adset_automation.placement_mode,
        meta_adset_automation.threads_inclusion,
        coalesce(meta_creatives.is_partnership, false) as is_partnership_ad,
        meta_ads.effective_status = 'DELETED' or meta_ads.is_removed_from_source
            as is_deleted,
        meta_ads.is_removed_from_source,
        meta_ads.created_at,
        meta_ads.updated_at
    from meta_ads
    left join meta_adsets using (adset_id)
    left join meta_adset_automation using (adset_id)
    left join meta_creatives using (creative_id)

),

tiktok_rows as (

    select
        tiktok_ads.ad_id,
        tiktok_ads.advertiser_id as ad_account_id,
        tiktok_ads.campaign_id,
        tiktok_ads.adgroup_id as adset_id,
        tiktok_ads.identity_id as tiktok_identity_id,
        tiktok_ads.tiktok_item_id,
        tiktok_ads.ad_name,
        tiktok_ads.adgroup_name as adset_name,
        tiktok_ads.operation_status as status,
        tiktok_ads.secondary_status as effective_status,
        case tiktok_ads.placement_type
            when 'PLACEMENT_TYPE_AUTOMATIC' then 'automatic'
            when 'PLACEMENT_TYPE_NORMAL' then 'manual'
        end as placement_mode,
        tiktok_ads.is_spark_ad,
        coalesce(
            tiktok_ads.operation_status = 'DELETE'
            or tiktok_ads.secondary_status = 'AD_STATUS_DELETE',
            false
        ) or tiktok_ads.is_removed_from_source as is_deleted,
        tiktok_ads.is_removed_from_source,
        {{ local_timestamp_to_utc(
            'tiktok_ads.created_at_local', 'tiktok_accounts.account_timezone'
        ) }} as created_at,
        {{ local_timestamp_to_utc(
            'tiktok_ads.modified_at_local', 'tiktok_accounts.account_timezone'
        ) }} as updated_at
    from tiktok_ads
    left join tiktok_accounts
        on tiktok_accounts.ad_account_id = tiktok_ads.advertiser_id

),

final as (

    {{ union_platforms(ad_columns(), [
        {'platform': 'meta', 'relation': 'meta_rows', 'fields': {
            'tiktok_identity_id': none, 'tiktok_item_id': none, 'is_spark_ad': 'false',
        }},
        {'platform': 'tiktok', 'relation': 'tiktok_rows', 'fields': {
            'creative_id': none, 'source_instagram_media_id': none, 'creative_name': none,
            'threads_inclusion': none, 'is_partnership_ad': 'false',
        }},
    ]) }}

)

select * from final
