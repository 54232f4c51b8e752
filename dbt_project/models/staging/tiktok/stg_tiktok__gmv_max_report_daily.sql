{#- GMV Max report, one row per campaign and advertiser-local day; "-" becomes null. -#}

{{ tiktok_report_staging(
    source('tiktok', 'gmv_max_report_daily'),
    ['advertiser_id', 'campaign_id', 'stat_time_day'],
    id_columns=['advertiser_id', 'store_id', 'campaign_id'],
    fields=[
        'cost', 'net_cost', 'orders', 'cost_per_order', 'gross_revenue', 'roi',
        'product_impressions', 'product_clicks',
    ],
) }}
