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
    * Upgraded Smart+ ads: their own AUDIENCE report by ad_id_v2 and placement (Lemon8 and
      PineDrama included) with their own entities; placement_mode from their ad group's
      placement_type like any other (automatic in practice).
    GMV Max campaigns report no placements, so they have no rows here.
-#}

with placement_days as (

    {{ tiktok_report_rows('placement', [
        'report_date', 'placement', 'spend', 'impressions', 'clicks', 'purchases',
        'purchase_value',
    ]) }}

),

placement_map as (select * from {{ ref('int_tiktok__placements') }}),

advertisers as (select * from {{ ref('stg_tiktok__advertisers') }}),

placement_mode_versions as (select * from {{ ref('int_tiktok__adgroup_placement_mode_versions') }}),

final as (

    select
        cast('tiktok' as {{ dbt.type_string() }}) as platform,
        placement_days.report_date,
        placement_days.advertiser_id as ad_account_id,
        advertisers.account_currency,
        placement_days.campaign_id,
        placement_days.campaign_name,
        placement_days.adgroup_id as adset_id,
        placement_days.adgroup_name as adset_name,
        placement_days.ad_id,
        placement_days.ad_name,
        cast(
            coalesce(placement_map.publisher_platform, placement_days.placement)
            as {{ dbt.type_string() }}
        ) as publisher_platform,
        cast(
            coalesce(placement_map.platform_position, 'all') as {{ dbt.type_string() }}
        ) as platform_position,
        placement_days.spend,
        placement_days.impressions,
        placement_days.clicks,
        placement_days.purchases,
        placement_days.purchase_value,
        {{ select_columns(attribution_window_columns(), nulls=true) }},
        false as is_advantage_plus_campaign,
        placement_mode_versions.placement_mode,
        cast(null as {{ dbt.type_string() }}) as threads_inclusion
    from placement_days
    left join placement_map using (placement)
    left join advertisers using (advertiser_id)
    left join placement_mode_versions
        on placement_mode_versions.advertiser_id = placement_days.advertiser_id
        and placement_mode_versions.adgroup_id = placement_days.adgroup_id
        and {{ in_effect_on('placement_days.report_date', 'placement_mode_versions') }}

)

select * from final
