{#-
    Every stored version of a Meta campaign's automation settings with the days it was in
    effect (see version_validity): Meta keeps no history of settings, so the loader's
    versions (one per change seen by a pull) are the history. Days are account-local.
-#}

with versions as (

    select * from {{ source('meta', 'campaigns') }}
    where not _is_deleted

),

accounts as (

    select ad_account_id, account_timezone from {{ ref('stg_meta__ad_accounts') }}

),

dated as (

    select
        versions.*,
        {{ local_date('versions._pulled_at', 'accounts.account_timezone') }} as loaded_date
    from versions
    left join accounts
        on accounts.ad_account_id = versions.account_id

),

validity as (

    select
        account_id as ad_account_id,
        id as campaign_id,
        smart_promotion_type,
        {{ json_text('advantage_state_info', 'advantage_state') }} as advantage_state,
        {{ json_text('advantage_state_info', 'advantage_placement_state') }}
            as advantage_placement_state,
        {{ version_validity(['account_id', 'id']) }}
    from dated

),

final as (

    select
        ad_account_id,
        campaign_id,
        coalesce(
            substring(advantage_state, 1, 15) = 'ADVANTAGE_PLUS_'
            or smart_promotion_type in ('AUTOMATED_SHOPPING_ADS', 'SMART_APP_PROMOTION'),
            false
        ) as is_advantage_plus_campaign,
        coalesce(advantage_placement_state = 'ENABLED', false) as has_advantage_placements,
        valid_from_date,
        valid_to_date
    from validity
    where valid_from_date is null or valid_to_date is null or valid_to_date > valid_from_date

)

select * from final
