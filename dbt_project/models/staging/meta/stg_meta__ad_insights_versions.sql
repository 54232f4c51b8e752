{#-
    Every reported version of each ad x day of the base report (not only the latest):
    what each pull saw, for fct_conversion_restatements. Tombstones carry no numbers and
    are left out. A deliberate second view over the same source table.
-#}
{%- set purchase_type = var('meta_purchase_action_type', 'omni_purchase') -%}

with source as (

    select * from {{ source('meta', 'ad_insights') }}
    where not _is_deleted

),

actions_found as (

    select
        *,
        {{ meta_find_action('actions', purchase_type) }} as purchase_action,
        {{ meta_find_action('action_values', purchase_type) }} as purchase_value_action
    from source

),

renamed as (

    select
        ---------- ids
        account_id as ad_account_id,
        ad_id,
        _sync_id as sync_id,
        ---------- strings
        account_currency,
        ---------- numerics
        {{ meta_action_amount('purchase_action', 'value') }} as purchases,
        {{ meta_action_amount('purchase_value_action', 'value') }} as purchase_value,
        {%- for window in meta_attribution_windows() %}
        {{ meta_window_amount('purchase_action', window) }}
            as purchases_{{ window }},
        {{ meta_window_amount('purchase_value_action', window) }}
            as purchase_value_{{ window }},
        {%- endfor %}
        ---------- dates
        date_start as report_date,
        ---------- timestamps
        {{ utc_timestamp('_pulled_at') }} as pulled_at
    from actions_found

)

select * from renamed
