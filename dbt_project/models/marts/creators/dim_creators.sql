{#-
    One row per creator: every registered creator (the brand's own profiles excluded) and
    every identity seen in the data that the registry does not map, flagged
    is_registered = false, so an unregistered creator's sales and ads are never lost.
-#}

with registry as (

    select * from {{ ref('creator_registry') }}

),

identities as (

    select * from {{ ref('int_creator_identities_resolved') }}

),

creator_days as (

    select * from {{ ref('fct_creator_performance_daily') }}

),

creators as (

    select
        creator_id,
        max(case when identity_type = 'instagram_user_id' then identity_value end)
            as instagram_user_id,
        max(case when identity_type = 'threads_user_id' then identity_value end)
            as threads_user_id,
        max(case when identity_type = 'threads_user_id' then handle end)
            as threads_username,
        max(case when identity_type = 'tiktok_username' then identity_value end)
            as tiktok_username,
        max(case when identity_type = 'tiktok_identity_id' then identity_value end)
            as tiktok_identity_id,
        max(case when identity_type = 'tiktok_identity_id' then handle end)
            as tiktok_display_name,
        max(handle) as any_handle,
        {{ dbt.bool_or('is_registered') }} as is_registered,
        {{ dbt.bool_or('is_observed') }} as is_observed
    from identities
    where not is_brand
    group by creator_id

),

activity as (

    select
        creator_id,
        min(report_date) as first_activity_date,
        max(report_date) as last_activity_date
    from creator_days
    group by creator_id

),

final as (

    select
        creators.creator_id,
        coalesce(
            registry.display_name,
            creators.tiktok_display_name,
            creators.threads_username,
            creators.any_handle,
            creators.creator_id
        ) as display_name,
        registry.instagram_handle,
        creators.instagram_user_id,
        creators.threads_user_id,
        creators.threads_username,
        creators.tiktok_username,
        creators.tiktok_identity_id,
        creators.is_registered,
        creators.is_observed as has_activity_data,
        activity.first_activity_date,
        activity.last_activity_date
    from creators
    left join registry
        on registry.creator_id = creators.creator_id
    left join activity
        on activity.creator_id = creators.creator_id

)

select * from final
