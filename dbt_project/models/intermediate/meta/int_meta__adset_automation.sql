{#-
    Automation settings per ad set, from the campaign and the ad set's targeting (their
    current state: Meta keeps no history of settings):
    * is_advantage_plus_campaign: advantage_state ADVANTAGE_PLUS_* or the legacy
      smart_promotion_type AUTOMATED_SHOPPING_ADS (ASC) / SMART_APP_PROMOTION (AAC);
    * placement_mode: 'advantage_plus' when the campaign's placement lever is ENABLED or
      the ad set names no platform and no position, else 'manual';
    * threads_inclusion: 'explicitly_included' when the targeting names Threads,
      'automatic' for Advantage+ placements that do not exclude it, else 'excluded'.
-#}

with adsets as (

    select * from {{ ref('stg_meta__adsets') }}

),

campaigns as (

    select * from {{ ref('stg_meta__campaigns') }}

),

campaign_flags as (

    select
        campaign_id,
        coalesce(
            substring(advantage_state, 1, 15) = 'ADVANTAGE_PLUS_'
            or smart_promotion_type in ('AUTOMATED_SHOPPING_ADS', 'SMART_APP_PROMOTION'),
            false
        ) as is_advantage_plus_campaign,
        coalesce(advantage_placement_state = 'ENABLED', false) as has_advantage_placements
    from campaigns

),

placement_modes as (

    select
        adsets.adset_id,
        adsets.ad_account_id,
        adsets.campaign_id,
        adsets.is_threads_targeted,
        adsets.is_threads_excluded,
        coalesce(campaign_flags.is_advantage_plus_campaign, false)
            as is_advantage_plus_campaign,
        case
            when campaign_flags.has_advantage_placements then 'advantage_plus'
            when not adsets.has_placement_targeting then 'advantage_plus'
            else 'manual'
        end as placement_mode
    from adsets
    left join campaign_flags
        on campaign_flags.campaign_id = adsets.campaign_id

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
        is_advantage_plus_campaign
    from placement_modes

)

select * from final
