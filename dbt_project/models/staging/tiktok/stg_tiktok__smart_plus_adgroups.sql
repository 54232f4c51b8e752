{#-
    One row per Upgraded Smart+ ad group (deleted ones included): the latest raw version,
    with its placements and TikTok subplacements (Lemon8, PineDrama) as JSON text.
-#}

{{ tiktok_entity_staging(
    source('tiktok', 'smart_plus_adgroups'), ['advertiser_id', 'adgroup_id'],
    id_columns=['advertiser_id', 'campaign_id', 'adgroup_id'],
    string_columns=[
        'adgroup_name', 'placement_type', 'placements_json', 'tiktok_subplacements_json',
        'promotion_type', 'optimization_goal', 'budget_mode', 'operation_status',
        'secondary_status',
    ],
    money_columns=['budget'],
) }}
