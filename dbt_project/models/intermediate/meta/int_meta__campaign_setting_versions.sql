{#-
    Every stored version of a Meta campaign's automation settings with the days it was in
    effect (see setting_versions): Meta keeps no history of settings, so the loader's
    versions (one per change seen by a pull) are the history. Days are account-local.
-#}

with {{ setting_versions(
    [ref('stg_meta__campaign_versions')], ref('stg_meta__ad_accounts'),
    key_columns=['ad_account_id', 'campaign_id'],
    columns=['smart_promotion_type', 'advantage_state', 'advantage_placement_state'],
) }},

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
    from setting_versions

)

select * from final
