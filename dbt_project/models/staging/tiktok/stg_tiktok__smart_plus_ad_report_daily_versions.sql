{#-
    Every stored version of each Upgraded Smart+ ad x day of the report by ad_id_v2 (not
    only the latest): purchases and their value as each pull saw them, for
    fct_conversion_restatements. Tombstones carry no numbers and are left out.
-#}

{{ tiktok_report_versions_staging(
    source('tiktok', 'smart_plus_ad_report_daily'), ['advertiser_id', 'ad_id_v2 as ad_id'],
    ['complete_payment', 'total_complete_payment_rate']) }}
