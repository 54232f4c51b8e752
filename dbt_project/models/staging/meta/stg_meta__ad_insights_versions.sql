{#-
    Every reported version of each ad x day of the base report (not only the latest):
    what each pull saw, for fct_conversion_restatements. Tombstones carry no numbers and
    are left out. A deliberate second view over the same source table.
-#}

with source as (

    select * from {{ source('meta', 'ad_insights') }}
    where not _is_deleted

),

actions_found as (

    select
        *,
        {{ meta_purchase_actions() }}
    from source

),

renamed as (

    select
        ---------- ids
        actions_found.account_id as ad_account_id,
        actions_found.ad_id,
        actions_found._sync_id as sync_id,
        ---------- strings
        actions_found.account_currency,
        ---------- numerics
        {{ meta_purchase_columns() }},
        ---------- dates
        actions_found.date_start as report_date,
        ---------- timestamps
        {{ utc_timestamp('actions_found._pulled_at') }} as pulled_at
    from actions_found

)

select * from renamed
