{#-
    Automation settings per Meta ad set and period of days: one row per overlap of an ad
    set settings version with a version of its campaign's settings, valid from
    valid_from_date (null: since ever) until the day before valid_to_date (null: still).
    A report day finds its one row with in_effect_on(). The flags:
    * is_advantage_plus_campaign: advantage_state ADVANTAGE_PLUS_* or the legacy
      smart_promotion_type AUTOMATED_SHOPPING_ADS (ASC) / SMART_APP_PROMOTION (AAC);
    * placement_mode: 'advantage_plus' when the campaign's placement lever is ENABLED or
      the ad set names no platform and no position, else 'manual';
    * threads_inclusion: 'explicitly_included' when the targeting names Threads,
      'automatic' for Advantage+ placements that do not exclude it, else 'excluded'.
    An ad set whose campaign was never pulled keeps its own periods (not Advantage+).
-#}

with

adset_versions as (select * from {{ ref('int_meta__adset_setting_versions') }}),

campaign_versions as (select * from {{ ref('int_meta__campaign_setting_versions') }}),

period_overlaps as (

    select
        adset_versions.adset_id,
        adset_versions.ad_account_id,
        adset_versions.campaign_id,
        adset_versions.has_placement_targeting,
        adset_versions.is_threads_targeted,
        adset_versions.is_threads_excluded,
        coalesce(campaign_versions.is_advantage_plus_campaign, false)
            as is_advantage_plus_campaign,
        coalesce(campaign_versions.has_advantage_placements, false)
            as has_advantage_placements,
        -- the later start and the earlier end of the two periods (null = unbounded)
        case
            when campaign_versions.valid_from_date is null
                then adset_versions.valid_from_date
            when adset_versions.valid_from_date is null
                then campaign_versions.valid_from_date
            when adset_versions.valid_from_date > campaign_versions.valid_from_date
                then adset_versions.valid_from_date
            else campaign_versions.valid_from_date
        end as valid_from_date,
        case
            when campaign_versions.valid_to_date is null then adset_versions.valid_to_date
            when adset_versions.valid_to_date is null then campaign_versions.valid_to_date
            when adset_versions.valid_to_date < campaign_versions.valid_to_date
                then adset_versions.valid_to_date
            else campaign_versions.valid_to_date
        end as valid_to_date
    from adset_versions
    left join campaign_versions
        on campaign_versions.ad_account_id = adset_versions.ad_account_id
        and campaign_versions.campaign_id = adset_versions.campaign_id
        and (
            campaign_versions.valid_from_date is null
            or adset_versions.valid_to_date is null
            or campaign_versions.valid_from_date < adset_versions.valid_to_date
        )
        and (
            adset_versions.valid_from_date is null
            or campaign_versions.valid_to_date is null
            or campaign_versions.valid_to_date > adset_versions.valid_from_date
        )

),

placement_modes as (

    select
        *,
        case
            when has_advantage_placements then 'advantage_plus'
            when not has_placement_targeting then 'advantage_plus'
            else 'manual'
        end as placement_mode
    from period_overlaps

),

final as (

    select
        adset_id,
        ad_account_id,
        campaign_id,
        placement_mode,
        case
            when is_threads_targeted then 'explicitly_included'
            when placement_mode = 'advantage_plus' and not is_threads_excluded
                then 'automatic'
            else 'excluded'
        end as threads_inclusion,
        is_advantage_plus_campaign,
        valid_from_date,
        valid_to_date
    from placement_modes

)

select * from final
