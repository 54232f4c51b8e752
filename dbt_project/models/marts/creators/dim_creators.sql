{#-
    One row per creator: every registered creator (the brand's own profiles excluded) and
    every identity seen in the data that the registry does not map, flagged
    is_registered = false, so an unregistered creator's sales and ads are never lost.
-#}
{#- One column per kind of identity: (identity_type, its field, the column it fills). -#}
{%- set creator_identity_columns = [
    ('instagram_user_id', 'identity_value', 'instagram_user_id'),
    ('threads_user_id', 'identity_value', 'threads_user_id'),
    ('threads_user_id', 'handle', 'threads_username'),
    ('tiktok_username', 'identity_value', 'tiktok_username'),
    ('tiktok_identity_id', 'identity_value', 'tiktok_identity_id'),
    ('tiktok_identity_id', 'handle', 'tiktok_display_name'),
] -%}

with

registry as (select * from {{ ref('creator_registry') }}),

identities as (select * from {{ ref('int_creator_identities_resolved') }}),

creator_days as (select * from {{ ref('fct_creator_performance_daily') }}),

creators as (

    select
        creator_id,
        {%- for identity_type, field, column in creator_identity_columns %}
        max(case when identity_type = '{{ identity_type }}' then {{ field }} end)
            as {{ column }},
        {%- endfor %}
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
    left join registry using (creator_id)
    left join activity using (creator_id)

)

select * from final
