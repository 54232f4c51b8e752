{#- One row per TikTok ad group (deleted ones included): the latest raw version. -#}

{{ tiktok_entity_staging(
    source('tiktok', 'adgroups'), ['advertiser_id', 'adgroup_id'],
    id_columns=['advertiser_id', 'campaign_id', 'adgroup_id'],
    string_columns=[
        'adgroup_name', 'placement_type', 'placements_json', 'promotion_type',
        'optimization_goal', 'budget_mode', 'operation_status', 'secondary_status',
    ],
    money_columns=['budget'],
) }}
