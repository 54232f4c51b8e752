{#-
    One row per ad, day and placement: the latest non-deleted raw version. Incremental:
    a run re-derives only the days from lookback_start on, and a build without the table
    writes only those days counted back from raw's newest day (see meta_insights_staging):
    builds without their table read every day from raw instead
    (int_placement_performance_daily_from_raw).
-#}
{{ meta_insights_staging(
    source('meta', 'ad_insights_placement'), meta_placement_breakdowns(), holds_every_day=false) }}
