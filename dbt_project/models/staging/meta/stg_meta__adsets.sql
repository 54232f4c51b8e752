{#-
    One row per ad set: its latest known state (see latest_live_versions). Placement
    targeting is parsed from `targeting`: an ad set that names no publisher platform and
    no position leaves placements to Meta (Advantage+ placements).
-#}
{%- set position_keys = [
    'facebook_positions', 'instagram_positions', 'threads_positions',
    'audience_network_positions', 'messenger_positions', 'whatsapp_positions',
] -%}

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
        (
            {{ json_has_key('targeting', 'publisher_platforms') }}
            {%- for key in position_keys %}
            or {{ json_has_key('targeting', key) }}
            {%- endfor %}
        ) as has_placement_targeting,
        (
            {{ json_array_has('targeting', 'publisher_platforms', 'threads') }}
            or {{ json_has_key('targeting', 'threads_positions') }}
        ) as is_threads_targeted,
        {{ json_array_has('targeting', 'excluded_publisher_platforms', 'threads') }}
            as is_threads_excluded,
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
