{#- One row per campaign: its latest known state (see latest_live_versions). -#}

with latest as (

    {{ latest_live_versions(source('meta', 'campaigns'), ['account_id', 'id']) }}

),

renamed as (

    select
        ---------- ids
        id as campaign_id,
        account_id as ad_account_id,
        ---------- strings
        name as campaign_name,
        objective,
        status,
        effective_status,
        buying_type,
        bid_strategy,
        smart_promotion_type,
        {{ json_text('advantage_state_info', 'advantage_state') }} as advantage_state,
        {{ json_text('advantage_state_info', 'advantage_placement_state') }}
            as advantage_placement_state,
        ---------- numerics
        cast(daily_budget as {{ dbt.type_bigint() }}) as daily_budget_minor_units,
        cast(lifetime_budget as {{ dbt.type_bigint() }}) as lifetime_budget_minor_units,
        ---------- booleans
        is_removed_from_source,
        ---------- timestamps
        {{ utc_timestamp('start_time') }} as started_at,
        {{ utc_timestamp('stop_time') }} as stopped_at,
        {{ utc_timestamp('created_time') }} as created_at,
        {{ utc_timestamp('updated_time') }} as updated_at,
        {{ utc_timestamp('_pulled_at') }} as pulled_at
    from latest

)

select * from renamed
