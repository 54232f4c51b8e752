{#- One row per ad (Meta), deleted ones included, with its ad set, campaign and creative. -#}

with ads as (

    select * from {{ ref('stg_meta__ads') }}

),

adsets as (

    select * from {{ ref('stg_meta__adsets') }}

),

adset_automation as (

    select * from {{ ref('int_meta__adset_automation') }}

),

creatives as (

    select * from {{ ref('stg_meta__adcreatives') }}

),

final as (

    select
        cast('meta' as {{ dbt.type_string() }}) as platform,
        ads.ad_id,
        ads.ad_account_id,
        ads.campaign_id,
        ads.adset_id,
        ads.creative_id,
        creatives.source_instagram_media_id,
        ads.ad_name,
        adsets.adset_name,
        creatives.creative_name,
        ads.status,
        ads.effective_status,
        adset_automation.placement_mode,
        adset_automation.threads_inclusion,
        coalesce(creatives.is_partnership, false) as is_partnership_ad,
        ads.effective_status = 'DELETED' or ads.is_removed_from_source as is_deleted,
        ads.is_removed_from_source,
        ads.created_at,
        ads.updated_at
    from ads
    left join adsets
        on adsets.adset_id = ads.adset_id
    left join adset_automation
        on adset_automation.adset_id = ads.adset_id
    left join creatives
        on creatives.creative_id = ads.creative_id

)

select * from final
