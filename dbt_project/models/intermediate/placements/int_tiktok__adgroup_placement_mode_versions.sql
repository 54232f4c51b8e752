{#-
    Every stored version of a TikTok ad group's placement mode with the days it was in
    effect (see setting_versions; days in the advertiser's reporting time zone):
    PLACEMENT_TYPE_AUTOMATIC -> 'automatic' (TikTok chooses the placements),
    PLACEMENT_TYPE_NORMAL -> 'manual'; any other value -> null (the mart warns). Upgraded
    Smart+ ad groups (their own list, ids distinct from manual ones) are versioned alike.
-#}

with {{ setting_versions(
    [ref('stg_tiktok__adgroup_versions'), ref('stg_tiktok__smart_plus_adgroup_versions')],
    ref('stg_tiktok__advertisers'),
    key_columns=['advertiser_id', 'adgroup_id'],
    columns=['placement_type'],
) }},

final as (

    select
        advertiser_id,
        adgroup_id,
        placement_type,
        case placement_type
            when 'PLACEMENT_TYPE_AUTOMATIC' then 'automatic'
            when 'PLACEMENT_TYPE_NORMAL' then 'manual'
        end as placement_mode,
        valid_from_date,
        valid_to_date
    from setting_versions

)

select * from final
