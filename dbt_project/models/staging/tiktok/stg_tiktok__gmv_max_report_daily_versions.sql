{#-
    Every stored version of each GMV Max campaign x day (not only the latest): what each
    pull reported for orders and revenue, for fct_conversion_restatements. Tombstones carry
    no numbers and are left out. A deliberate second view over the same source table.
-#}

{{ tiktok_report_versions_staging(
    source('tiktok', 'gmv_max_report_daily'), ['advertiser_id', 'store_id', 'campaign_id'],
    ['orders', 'gross_revenue']) }}
