{#-
    Meta rows of the placement-performance shape (see int_placement_performance_daily_unioned):
    the placement insights with the automation settings in effect on the report day
    (int_meta__adset_automation_versions).
-#}

with

placement_insights as (select * from {{ ref('stg_meta__ad_insights_placement') }}),

automation_versions as (select * from {{ ref('int_meta__adset_automation_versions') }}),

final as (

    select
        cast('meta' as {{ dbt.type_string() }}) as platform,
        placement_insights.report_date,
        placement_insights.ad_account_id,
        placement_insights.account_currency,
        placement_insights.campaign_id,
        placement_insights.campaign_name,
        placement_insights.adset_id,
        placement_insights.adset_name,
        placement_insights.ad_id,
        placement_insights.ad_name,
        placement_insights.publisher_platform,
        placement_insights.platform_position,
        placement_insights.spend,
        placement_insights.impressions,
        placement_insights.clicks,
        placement_insights.purchases,
        placement_insights.purchase_value,
        {{ select_columns(attribution_window_columns(), 'placement_insights') }},
        automation_versions.is_advantage_plus_campaign,
        automation_versions.placement_mode,
        automation_versions.threads_inclusion
    from placement_insights
    left join automation_versions
        on automation_versions.adset_id = placement_insights.adset_id
        and {{ in_effect_on('placement_insights.report_date', 'automation_versions') }}

)

select * from final
