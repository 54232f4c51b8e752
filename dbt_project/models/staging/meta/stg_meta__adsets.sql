{#-
    One row per ad set: its latest known state (see latest_live_versions). Placement
    targeting is parsed from `targeting` (meta_placement_targeting): an ad set that names no
    publisher platform and no position leaves placements to Meta (Advantage+ placements).
-#}
with latest as (

    {{ latest_live_versions(source('meta', 'adsets'), ['account_id', 'id']) }}

),

renamed as (

    select
        ---------- ids
        id as adset_id,
        account_id as ad_account_id,
        campaign_id,
        ---------- strings
        name as adset_name,
        status,
        effective_status,
        optimization_goal,
        billing_event,
        ---------- numerics
        cast(daily_budget as {{ dbt.type_bigint() }}) as daily_budget_minor_units,
        cast(lifetime_budget as {{ dbt.type_bigint() }}) as lifetime_budget_minor_units,
        ---------- booleans
        {{ meta_placement_targeting('targeting') }},
        is_removed_from_source,
        ---------- timestamps
        {{ utc_timestamp('start_time') }} as started_at,
        {{ utc_timestamp('end_time') }} as ended_at,
        {{ utc_timestamp('created_time') }} as created_at,
        {{ utc_timestamp('updated_time') }} as updated_at,
        {{ utc_timestamp('_pulled_at') }} as pulled_at
    from latest

)

select * from renamed
