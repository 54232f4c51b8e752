{#- One row per ad account: its latest known state (see latest_live_versions). -#}

with latest as (

    {{ latest_live_versions(source('meta', 'ad_accounts'), ['account_id', 'id']) }}

),

renamed as (

    select
        ---------- ids
        account_id as ad_account_id,
        {{ json_text('business', 'id') }} as business_id,
        ---------- strings
        name as ad_account_name,
        currency as account_currency,
        timezone_name as account_timezone,
        {{ json_text('business', 'name') }} as business_name,
        ---------- numerics
        account_status,
        ---------- booleans
        is_removed_from_source,
        ---------- timestamps
        {{ utc_timestamp('created_time') }} as created_at,
        {{ utc_timestamp('_pulled_at') }} as pulled_at
    from latest

)

select * from renamed
