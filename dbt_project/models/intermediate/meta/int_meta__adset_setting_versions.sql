{#-
    Every stored version of a Meta ad set's placement targeting with the days it was in
    effect (see version_validity and meta_placement_targeting). Days are account-local.
-#}

with versions as (

    select * from {{ source('meta', 'adsets') }}
    where not _is_deleted

),

accounts as (

    select ad_account_id, account_timezone from {{ ref('stg_meta__ad_accounts') }}

),

dated as (

    select
        versions.*,
        {{ local_date('versions._pulled_at', 'accounts.account_timezone') }} as loaded_date
    from versions
    left join accounts
        on accounts.ad_account_id = versions.account_id

),

validity as (

    select
        account_id as ad_account_id,
        id as adset_id,
        campaign_id,
        {{ meta_placement_targeting('targeting') }},
        {{ version_validity(['account_id', 'id']) }}
    from dated

),

final as (

    select * from validity
    where valid_from_date is null or valid_to_date is null or valid_to_date > valid_from_date

)

select * from final
