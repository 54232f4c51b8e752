{#-
    BASIC report by ad_id, one row per ad and advertiser-local day; "-" metrics become null.
    Upgraded Smart+ creatives are left out: stg_tiktok__smart_plus_ad_report_daily has their ads.
-#}

{{ tiktok_ad_report_staging(
    source('tiktok', 'ad_report_daily'), 'ad_id',
    tiktok_ad_report_fields() + tiktok_video_fields()) }}
