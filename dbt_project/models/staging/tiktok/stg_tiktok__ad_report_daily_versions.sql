{#-
    Every stored version of each BASIC report ad x day (not only the latest): what each
    pull reported for purchases and their value, for fct_conversion_restatements.
    Tombstones carry no numbers and are left out, so are Upgraded Smart+ creatives (see
    stg_tiktok__ad_report_daily). A deliberate second view over the same source table.
-#}

{{ tiktok_report_versions_staging(
    source('tiktok', 'ad_report_daily'), ['advertiser_id', 'ad_id'],
    ['complete_payment', 'total_complete_payment_rate'],
    without_smart_plus_creatives=true) }}
