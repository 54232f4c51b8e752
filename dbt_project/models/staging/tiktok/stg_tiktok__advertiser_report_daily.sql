{#-
    BASIC report at advertiser level, one row per advertiser and advertiser-local day:
    TikTok's own totals of all auction spend; "-" metrics become null. The mart gate checks
    that the auction ad rows of fct_ad_performance_daily add up to these.
-#}

{{ tiktok_report_staging(
    source('tiktok', 'advertiser_report_daily'), ['advertiser_id', 'stat_time_day'],
    id_columns=['advertiser_id'],
    fields=['spend', 'impressions', 'clicks'],
) }}
