{#- One row per campaign (Meta), deleted and archived ones included, with automation flags. -#}

with campaigns as (

    select * from {{ ref('stg_meta__campaigns') }}

),

accounts as (

    select * from {{ ref('stg_meta__ad_accounts') }}

),

final as (

    select
        cast('meta' as {{ dbt.type_string() }}) as platform,
        campaigns.campaign_id,
        campaigns.ad_account_id,
        campaigns.campaign_name,
        accounts.account_currency,
        campaigns.objective,
        campaigns.status,
        campaigns.effective_status,
        campaigns.buying_type,
        campaigns.bid_strategy,
        campaigns.smart_promotion_type,
        campaigns.advantage_state,
        campaigns.advantage_placement_state,
        campaigns.daily_budget_minor_units,
        campaigns.lifetime_budget_minor_units,
        coalesce(
            substring(campaigns.advantage_state, 1, 15) = 'ADVANTAGE_PLUS_'
            or campaigns.smart_promotion_type
            in ('AUTOMATED_SHOPPING_ADS', 'SMART_APP_PROMOTION'),
            false
        ) as is_advantage_plus_campaign,
        campaigns.effective_status = 'DELETED' or campaigns.is_removed_from_source
            as is_deleted,
        campaigns.is_removed_from_source,
        campaigns.started_at,
        campaigns.stopped_at,
        campaigns.created_at,
        campaigns.updated_at
    from campaigns
    left join accounts
        on accounts.ad_account_id = campaigns.ad_account_id

)

select * from final
