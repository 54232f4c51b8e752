{#
    What fct_placement_performance_daily reads. Meta's placement staging table holds only
    the days incremental runs re-derive (meta_insights_staging, holds_every_day false),
    so there are two relations of the same rows:
    * int_placement_performance_daily_unioned: Meta's rows from the staging table, for
      incremental runs (a few days, already staged);
    * int_placement_performance_daily_from_raw: every day, Meta's rows straight from raw
      through the same macros, for builds without the mart's table: 17 M rows read once
      and written once, instead of written to staging and then again to the mart.
#}

{#- Select of every platform's placement rows, Meta's from `meta_relation`. -#}
{% macro placement_performance_unioned(meta_relation) -%}
    {{ union_platforms(placement_performance_columns(), [
        {'platform': 'meta', 'relation': meta_relation},
        {'platform': 'tiktok', 'relation': ref('int_tiktok__placement_performance_daily')},
    ]) }}
{%- endmacro %}

{#
    The relation the mart reads its rows from: on an incremental run whose first day the
    Meta staging table holds (its earliest day on or before it), the unioned staging rows;
    otherwise (a build without the table, a full refresh, or a staging table rebuilt on its
    own with fewer days than the mart's window) every day from raw, which the mart's
    in_lookback_window filter narrows on an incremental run. The mart declares both refs
    (`-- depends_on`): dbt parses with is_incremental() false.
#}
{% macro placement_performance_input() %}
    {%- set first_day = lookback_first_day('report_date') -%}
    {%- if first_day is not none -%}
        {%- set holds_first_day = run_query(
            'select min(report_date) <= ' ~ first_day
            ~ ' from ' ~ ref('stg_meta__ad_insights_placement')
        ).columns[0].values()[0] -%}
        {%- if holds_first_day -%}
            {{ return(ref('int_placement_performance_daily_unioned')) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(ref('int_placement_performance_daily_from_raw')) }}
{% endmacro %}
