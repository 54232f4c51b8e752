{#- One row per ad, deleted ones included: its latest known state. -#}

with latest as (

    {{ latest_live_versions(source('meta', 'ads'), ['account_id', 'id']) }}

),

renamed as (

    select
        ---------- ids
        id as ad_id,
        account_id as ad_account_id,
        campaign_id,
        adset_id,
        {{ json_text('creative', 'id') }} as creative_id,
        ---------- strings
        name as ad_name,
        status,
        effective_status,
        ---------- booleans
        is_removed_from_source,
        ---------- timestamps
        {{ utc_timestamp('created_time') }} as created_at,
        {{ utc_timestamp('updated_time') }} as updated_at,
        {{ utc_timestamp('_pulled_at') }} as pulled_at
    from latest

)

select * from renamed
