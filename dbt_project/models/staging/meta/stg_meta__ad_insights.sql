{#-
    One row per ad and day (base report, no breakdowns): the latest non-deleted version.

    Incremental like stg_meta__ad_insights_placement: a run re-derives only the days from
    lookback_start on, since new raw versions land only inside a load's window.
-#}
{%- set insights = source('meta', 'ad_insights') -%}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ delete_lookback_window() }}"],
) }}
{{ meta_insights_staging(
    insights,
    first_day=lookback_start(this, 'report_date', var('incremental_lookback_days', 28))
        if is_incremental() else none,
) }}
