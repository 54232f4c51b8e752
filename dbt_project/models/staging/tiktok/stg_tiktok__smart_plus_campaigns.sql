{#-
    One row per Upgraded Smart+ campaign (deleted ones included): the latest raw version.
    /smart_plus/campaign/get/ lists them; /campaign/get/ does not.
-#}

{{ tiktok_entity_staging(
    source('tiktok', 'smart_plus_campaigns'), ['advertiser_id', 'campaign_id'],
    id_columns=['advertiser_id', 'campaign_id'],
    string_columns=[
        'campaign_name', 'campaign_type', 'objective_type', 'sales_destination',
        'budget_mode', 'operation_status', 'secondary_status', 'smart_plus_adgroup_mode',
    ],
    money_columns=['budget'],
    boolean_columns=['budget_optimize_on'],
) }}
