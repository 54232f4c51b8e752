{#- One row per TikTok campaign (deleted ones included): the latest raw version. -#}

{{ tiktok_entity_staging(
    source('tiktok', 'campaigns'), ['advertiser_id', 'campaign_id'],
    id_columns=['advertiser_id', 'campaign_id'],
    string_columns=[
        'campaign_name', 'campaign_type', 'objective_type', 'budget_mode',
        'operation_status', 'secondary_status',
    ],
    money_columns=['budget'],
) }}
