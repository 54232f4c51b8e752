{#-
    One row per ad and day (base report, no breakdowns): the latest non-deleted version.
    Incremental like stg_meta__ad_insights_placement (see meta_insights_staging).
-#}
{{ meta_insights_staging(source('meta', 'ad_insights')) }}
