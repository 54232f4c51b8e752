{#-
    One row per ad account of every platform (Meta ad accounts, TikTok advertisers),
    removed ones included, with the currency of its amounts and the time zone its report
    days are cut in. Grain: platform x ad_account_id.

    TikTok sends two zones: `timezone`, a fixed offset in POSIX form (Etc/GMT+8 = UTC-8,
    no daylight saving time), and `display_timezone`, the IANA zone of the account
    (America/Los_Angeles). account_timezone is the IANA zone, as Meta's timezone_name is:
    the zone whose calendar days the reports use (the fixed offset only as a fallback;
    stg_tiktok__advertisers picks it, so facts and dims carry the same zone).
-#}

with meta_accounts as (

    select * from {{ ref('stg_meta__ad_accounts') }}

),

tiktok_advertisers as (

    select * from {{ ref('stg_tiktok__advertisers') }}

),

meta_rows as (

    select
        cast('meta' as {{ dbt.type_string() }}) as platform,
        ad_account_id,
        business_id,
        ad_account_name,
        account_currency,
        account_timezone,
        business_name,
        cast(null as {{ dbt.type_string() }}) as advertiser_status,
        account_status,
        is_removed_from_source,
        created_at
    from meta_accounts

),

tiktok_rows as (

    select
        cast('tiktok' as {{ dbt.type_string() }}) as platform,
        advertiser_id as ad_account_id,
        cast(null as {{ dbt.type_string() }}) as business_id,
        advertiser_name as ad_account_name,
        account_currency,
        account_timezone,
        cast(null as {{ dbt.type_string() }}) as business_name,
        advertiser_status,
        cast(null as {{ dbt.type_int() }}) as account_status,
        is_removed_from_source,
        created_at
    from tiktok_advertisers

),

final as (

    select * from meta_rows
    union all
    select * from tiktok_rows

)

select * from final
