{#-
    Every stored version of a TikTok ad group's placement mode with the days it was in
    effect (see version_validity; days in the advertiser's reporting time zone):
    PLACEMENT_TYPE_AUTOMATIC -> 'automatic' (TikTok chooses the placements),
    PLACEMENT_TYPE_NORMAL -> 'manual'; any other value -> null (the mart warns). Upgraded
    Smart+ ad groups (their own list, ids distinct from manual ones) are versioned alike.
-#}

with versions as (

    {%- for relation in ['adgroups', 'smart_plus_adgroups'] %}
    select advertiser_id, adgroup_id, placement_type, _pulled_at, _sync_id
    from {{ source('tiktok', relation) }}
    where not _is_deleted
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

advertisers as (

    select advertiser_id, account_timezone from {{ ref('stg_tiktok__advertisers') }}

),

dated as (

    select
        versions.*,
        {{ local_date('versions._pulled_at', 'advertisers.account_timezone') }}
            as loaded_date
    from versions
    left join advertisers
        on advertisers.advertiser_id = versions.advertiser_id

),

validity as (

    select
        advertiser_id,
        adgroup_id,
        placement_type,
        {{ version_validity(['advertiser_id', 'adgroup_id']) }}
    from dated

),

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
    from validity
    where valid_from_date is null or valid_to_date is null or valid_to_date > valid_from_date

)

select * from final
