{#-
    One row per TikTok ad of both lists (auction ads by ad_id, Upgraded Smart+ ads by
    smart_plus_ad_id, flagged is_smart_plus_ad) with its ad group's and campaign's names
    and settings from the same list. Every TikTok model that names an ad reads it here:
    the ad and placement performance, the creators' Spark Ads and dim_ads. Upgraded Smart+
    ads are no Spark Ads and name no identity or post.
-#}
{#- Each list: its ads, ad groups and campaigns, and whether it is the Smart+ list. -#}
{%- set ad_lists = [
    (ref('stg_tiktok__ads'), ref('stg_tiktok__adgroups'), ref('stg_tiktok__campaigns'), false),
    (
        ref('stg_tiktok__smart_plus_ads'), ref('stg_tiktok__smart_plus_adgroups'),
        ref('stg_tiktok__smart_plus_campaigns'), true,
    ),
] -%}

with joined as (

    {% for ads, adgroups, campaigns, is_smart_plus in ad_lists -%}
    select
        ads.advertiser_id,
        ads.ad_id,
        ads.campaign_id,
        ads.adgroup_id,
        {%- if is_smart_plus %}
        cast(null as {{ dbt.type_string() }}) as identity_id,
        cast(null as {{ dbt.type_string() }}) as tiktok_item_id,
        {%- else %}
        ads.identity_id,
        ads.tiktok_item_id,
        {%- endif %}
        ads.ad_name,
        adgroups.adgroup_name,
        campaigns.campaign_name,
        ads.operation_status,
        ads.secondary_status,
        adgroups.placement_type,
        adgroups.promotion_type,
        {{ is_smart_plus }} as is_smart_plus_ad,
        {{ 'false' if is_smart_plus else 'ads.is_spark_ad' }} as is_spark_ad,
        ads.is_removed_from_source,
        ads.created_at_local,
        ads.modified_at_local
    from {{ ads }} as ads
    left join {{ adgroups }} as adgroups using (advertiser_id, adgroup_id)
    -- the ad's campaign (the ad group names one too)
    left join {{ campaigns }} as campaigns
        on campaigns.advertiser_id = ads.advertiser_id
        and campaigns.campaign_id = ads.campaign_id
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

select * from joined
