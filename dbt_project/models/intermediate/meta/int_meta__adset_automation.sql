{#-
    Automation settings per Meta ad set as they stand now: the period of
    int_meta__adset_automation_versions that is still open (its latest ad set and
    campaign settings). Facts of past days use the versions model instead.
-#}

with

automation_versions as (select * from {{ ref('int_meta__adset_automation_versions') }}),

final as (

    select
        adset_id,
        placement_mode,
        threads_inclusion,
        is_advantage_plus_campaign
    from automation_versions
    where valid_to_date is null

)

select * from final
