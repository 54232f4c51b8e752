{#-
    AUDIENCE report by ad_id_v2 and placement for the Upgraded Smart+ campaigns, one row per
    Smart+ ad, advertiser-local day and placement (Lemon8 and PineDrama included).
-#}

{{ tiktok_ad_report_staging(
    source('tiktok', 'smart_plus_ad_placement_report_daily'), 'ad_id_v2',
    tiktok_ad_report_fields(), breakdown_columns=['placement']) }}
