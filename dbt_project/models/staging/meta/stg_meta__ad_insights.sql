{#- One row per ad and day (base report, no breakdowns): the latest non-deleted version. -#}
{{ meta_insights_staging(source('meta', 'ad_insights')) }}
