{#-
    TikTok rows of the placement-performance shape (see
    int_placement_performance_daily_unioned), from the AUDIENCE report by placement.
    * placement -> publisher_platform x platform_position through int_tiktok__placements;
      an unmapped placement keeps its raw value as publisher_platform (position `all`),
      so no row is lost and the mart's accepted-values test warns.
    * Entity ids and names from the TikTok staging entities (the report has only ad_id);
      the ad group stands in the adset_* columns.
    * Purchases are complete payments, purchase_value their value (as in
      int_tiktok__ad_performance_daily); TikTok has no Meta attribution windows (null).
    * Automation: placement_mode from the ad group's placement_type in effect on the
      report day; is_advantage_plus_campaign is false (a Meta campaign type);
      threads_inclusion is null (Threads is no TikTok placement).
    GMV Max campaigns report no placements, so they have no rows here.
-#}

with placement_report as (

    select * from {{ ref('stg_tiktok__ad_placement_report_daily') }}

),

placement_map as (

    select * from {{ ref('int_tiktok__placements') }}

),

advertisers as (

    select * from {{ ref('stg_tiktok__advertisers') }}

),

campaigns as (

    select * from {{ ref('stg_tiktok__campaigns') }}

),

adgroups as (

    select * from {{ ref('stg_tiktok__adgroups') }}

),

ads as (

    select * from {{ ref('stg_tiktok__ads') }}

),

placement_mode_versions as (

    select * from {{ ref('int_tiktok__adgroup_placement_mode_versions') }}

),

final as (

    select
        cast('tiktok' as {{ dbt.type_string() }}) as platform,
        placement_report.report_date,
        placement_report.advertiser_id as ad_account_id,
        advertisers.account_currency,
        ads.campaign_id,
        campaigns.campaign_name,
        ads.adgroup_id as adset_id,
        adgroups.adgroup_name as adset_name,
        placement_report.ad_id,
        ads.ad_name,
        cast(coalesce(placement_map.publisher_platform, placement_report.placement)
            as {{ dbt.type_string() }}) as publisher_platform,
        cast(coalesce(placement_map.platform_position, 'all')
            as {{ dbt.type_string() }}) as platform_position,
        placement_report.spend,
        placement_report.impressions,
        placement_report.clicks,
        placement_report.purchases,
        placement_report.purchase_value,
        {%- for window in meta_attribution_windows() %}
        cast(null as decimal(18, 2)) as purchases_{{ window }},
        cast(null as decimal(18, 2)) as purchase_value_{{ window }},
        {%- endfor %}
        false as is_advantage_plus_campaign,
        placement_mode_versions.placement_mode,
        cast(null as {{ dbt.type_string() }}) as threads_inclusion
    from placement_report
    left join placement_map
        on placement_map.placement = placement_report.placement
    left join advertisers
        on advertisers.advertiser_id = placement_report.advertiser_id
    left join ads
        on ads.advertiser_id = placement_report.advertiser_id
        and ads.ad_id = placement_report.ad_id
    left join campaigns
        on campaigns.advertiser_id = ads.advertiser_id
        and campaigns.campaign_id = ads.campaign_id
    left join adgroups
        on adgroups.advertiser_id = ads.advertiser_id
        and adgroups.adgroup_id = ads.adgroup_id
    left join placement_mode_versions
        on placement_mode_versions.advertiser_id = ads.advertiser_id
        and placement_mode_versions.adgroup_id = ads.adgroup_id
        and {{ in_effect_on('placement_report.report_date', 'placement_mode_versions') }}

)

select * from final
