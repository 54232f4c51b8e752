{#-
    AUDIENCE report by ad_id, one row per ad, advertiser-local day and placement. Upgraded
    Smart+ creatives are left out: stg_tiktok__smart_plus_ad_placement_report_daily has them.
-#}

{{ tiktok_ad_report_staging(
    source('tiktok', 'ad_placement_report_daily'), 'ad_id',
    tiktok_ad_report_fields(), breakdown_columns=['placement']) }}
