{#-
    One row per ad, day and placement: the latest non-deleted raw version.

    Incremental: picking the latest version per key over the whole raw history is the
    costliest step of a build at scale (tens of seconds over 19.5 M placement versions).
    A run deletes and re-derives only the days from lookback_start on: the incremental
    lookback, or further back when a load since the last successful build covered older
    days. New raw versions land only inside a load's window, so older days cannot change.
-#}
{%- set insights = source('meta', 'ad_insights_placement') -%}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ delete_lookback_window() }}"],
) }}
{{ meta_insights_staging(
    insights,
    ['publisher_platform', 'platform_position'],
    first_day=lookback_start(this, 'report_date', var('incremental_lookback_days', 28))
        if is_incremental() else none,
) }}
