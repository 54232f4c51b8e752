{#-
    BASIC report by ad_id_v2 for the Upgraded Smart+ campaigns, one row per Smart+ ad and
    advertiser-local day (deleted ads included); "-" metrics become null.
-#}

{{ tiktok_ad_report_staging(
    source('tiktok', 'smart_plus_ad_report_daily'), 'ad_id_v2',
    tiktok_ad_report_fields() + tiktok_video_fields()) }}
