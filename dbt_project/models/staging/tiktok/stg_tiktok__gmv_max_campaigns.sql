{#- One row per GMV Max campaign: the latest non-deleted raw version. -#}

{{ tiktok_entity_staging(
    source('tiktok', 'gmv_max_campaigns'), ['advertiser_id', 'campaign_id'],
    id_columns=['advertiser_id', 'store_id', 'campaign_id'],
    string_columns=[
        'campaign_name', 'gmv_max_promotion_type', 'objective_type', 'operation_status',
        'secondary_status',
    ],
) }}
