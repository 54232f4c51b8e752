{#-
    One row per Upgraded Smart+ ad (deleted ones included): the latest raw version. Its id is
    `smart_plus_ad_id` (reports: `ad_id_v2`), here `ad_id` like every other ad; its creatives
    stay as TikTok's `creative_list` JSON text.
-#}

{{ tiktok_entity_staging(
    source('tiktok', 'smart_plus_ads'), ['advertiser_id', 'smart_plus_ad_id'],
    id_columns=['advertiser_id', 'campaign_id', 'adgroup_id', 'smart_plus_ad_id as ad_id'],
    string_columns=[
        'ad_name', 'operation_status', 'secondary_status', 'creative_list_json',
    ],
) }}
