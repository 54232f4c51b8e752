{#- One row per ad account: its latest known state (see latest_live_versions). -#}

{{ meta_entity_staging(
    source('meta', 'ad_accounts'), 'ad_account_id',
    id_columns=[json_text('business', 'id') ~ ' as business_id'],
    string_columns=[
        'name as ad_account_name', 'currency as account_currency',
        'timezone_name as account_timezone',
        json_text('business', 'name') ~ ' as business_name'],
    numeric_columns=['account_status'],
    timestamp_columns={'created_time': 'created_at'},
) }}
