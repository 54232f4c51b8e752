{#- One row per ad, deleted ones included: its latest known state. -#}

{{ meta_entity_staging(
    source('meta', 'ads'), 'ad_id',
    id_columns=['campaign_id', 'adset_id', json_text('creative', 'id') ~ ' as creative_id'],
    string_columns=['name as ad_name', 'status', 'effective_status'],
    timestamp_columns={'created_time': 'created_at', 'updated_time': 'updated_at'},
) }}
