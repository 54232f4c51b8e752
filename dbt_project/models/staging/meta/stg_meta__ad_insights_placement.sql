{#-
    One row per ad, day and placement: the latest non-deleted raw version. Incremental:
    a run re-derives only the days from lookback_start on (see meta_insights_staging).
-#}
{{ meta_insights_staging(
    source('meta', 'ad_insights_placement'), ['publisher_platform', 'platform_position']) }}
