{#- One row per ad account (Meta), with its currency and time zone. -#}

with accounts as (

    select * from {{ ref('stg_meta__ad_accounts') }}

),

final as (

    select
        cast('meta' as {{ dbt.type_string() }}) as platform,
        ad_account_id,
        business_id,
        ad_account_name,
        account_currency,
        account_timezone,
        business_name,
        account_status,
        is_removed_from_source,
        created_at
    from accounts

)

select * from final
