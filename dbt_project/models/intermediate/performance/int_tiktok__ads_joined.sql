{#-
    One row per TikTok ad of both lists (auction ads by ad_id, Upgraded Smart+ ads by
    smart_plus_ad_id, flagged is_smart_plus_ad) with its ad group's and campaign's names
    and settings from the same list. Every TikTok model that names an ad reads it here:
    the ad and placement performance, the creators' Spark Ads and dim_ads. Upgraded Smart+
    ads are no Spark Ads and name no identity or post.
-#}
{%- set ad_lists = [
    ('ads', 'adgroups', 'campaigns', false),
    ('smart_plus_ads', 'smart_plus_adgroups', 'smart_plus_campaigns', true),
] -%}

with

ads as (select * from {{ ref('stg_tiktok__ads') }}),

adgroups as (select * from {{ ref('stg_tiktok__adgroups') }}),

campaigns as (select * from {{ ref('stg_tiktok__campaigns') }}),

smart_plus_ads as (select * from {{ ref('stg_tiktok__smart_plus_ads') }}),

smart_plus_adgroups as (select * from {{ ref('stg_tiktok__smart_plus_adgroups') }}),

smart_plus_campaigns as (select * from {{ ref('stg_tiktok__smart_plus_campaigns') }}),

joined as (

    {% for ad, adgroup, campaign, is_smart_plus in ad_lists -%}
    select
        {{ ad }}.advertiser_id,
        {{ ad }}.ad_id,
        {{ ad }}.campaign_id,
        {{ ad }}.adgroup_id,
        {%- if is_smart_plus %}
        cast(null as {{ dbt.type_string() }}) as identity_id,
        cast(null as {{ dbt.type_string() }}) as tiktok_item_id,
        {%- else %}
        {{ ad }}.identity_id,
        {{ ad }}.tiktok_item_id,
        {%- endif %}
        {{ ad }}.ad_name,
        {{ adgroup }}.adgroup_name,
        {{ campaign }}.campaign_name,
        {{ ad }}.operation_status,
        {{ ad }}.secondary_status,
        {{ adgroup }}.placement_type,
        {{ adgroup }}.promotion_type,
        {{ is_smart_plus }} as is_smart_plus_ad,
        {{ 'false' if is_smart_plus else ad ~ '.is_spark_ad' }} as is_spark_ad,
        {{ ad }}.is_removed_from_source,
        {{ ad }}.created_at_local,
        {{ ad }}.modified_at_local
    from {{ ad }}
    left join {{ adgroup }}
        on {{ adgroup }}.advertiser_id = {{ ad }}.advertiser_id
        and {{ adgroup }}.adgroup_id = {{ ad }}.adgroup_id
    left join {{ campaign }}
        on {{ campaign }}.advertiser_id = {{ ad }}.advertiser_id
        and {{ campaign }}.campaign_id = {{ ad }}.campaign_id
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

select * from joined
