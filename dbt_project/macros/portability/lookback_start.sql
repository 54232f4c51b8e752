{#
    First day an incremental run rebuilds: `days` before the newest `date_column` of
    `relation` (the model itself, or the raw table it reads), or earlier when a load landed
    since the last successful build (raw._loads after the newest succeeded full-project row
    of audit.dbt_builds) covered older days: a backfill then reaches the model without a
    full refresh. Counted from the data and the load log, not the clock, so a pre-hook's
    delete and the insert agree. Without the load log or the build log (a warehouse the
    pipeline did not create) the lookback alone.

    When executing against an existing relation the day is computed once and inlined as a
    date literal: a constant lets the engine skip storage blocks outside the window (a
    scalar subquery would not), which is what keeps a daily run from scanning years of raw
    history. Otherwise (parsing, or before the first build) the SQL expression itself.
#}
{% macro lookback_start(relation, date_column, days) -%}
    {%- set expression = lookback_start_sql(
        '(select max(' ~ date_column ~ ') from ' ~ relation ~ ')', days) -%}
    {%- if execute and load_relation(relation) is not none -%}
        {%- set first_day = run_query(
            'select cast(' ~ expression ~ ' as date)').columns[0].values()[0] -%}
        {%- if first_day is not none -%}
            cast('{{ first_day }}' as date)
        {%- else -%}
            {{ expression }}
        {%- endif -%}
    {%- else -%}
        {{ expression }}
    {%- endif -%}
{%- endmacro %}


{#
    The SQL lookback_start evaluates, given the newest day as a scalar SQL expression. No
    newest day (an empty model, say one built before any data landed) rebuilds everything.
#}
{% macro lookback_start_sql(newest_day, days) -%}
    {%- set newest_minus_lookback -%}
        coalesce({{ dbt.dateadd('day', -(days | int), newest_day) }}, cast('1900-01-01' as date))
    {%- endset -%}
    {%- set loads = adapter.get_relation(
        database=target.database, schema='raw', identifier='_loads') -%}
    {%- set builds = adapter.get_relation(
        database=target.database, schema='audit', identifier='dbt_builds') -%}
    {%- if loads is none or builds is none -%}
        {{ newest_minus_lookback }}
    {%- else -%}
        (select least(
            {{ newest_minus_lookback }},
            coalesce(min(window_start), {{ newest_minus_lookback }})
         )
         from {{ loads }}
         where loaded_at > (
            select max(started_at) from {{ builds }} where succeeded and selector is null
         ))
    {%- endif -%}
{%- endmacro %}


{#
    Pre-hook of the incremental models that re-derive their window: delete the rows from
    lookback_start on (of the model itself, by `date_column`), so the insert that follows
    replaces restated and vanished rows. Nothing on a first build or a full refresh.
#}
{% macro delete_lookback_window(date_column='report_date') -%}
    {%- set first_day = lookback_first_day(date_column) -%}
    {%- if first_day is not none -%}
        delete from {{ this }} where {{ date_column }} >= {{ first_day }}
    {%- endif -%}
{%- endmacro %}


{#-
    The first day an incremental run of the calling model re-derives (lookback_start by
    `date_column`, as a date literal), or none on a first build or a full refresh.
-#}
{% macro lookback_first_day(date_column='report_date') -%}
    {{- return(lookback_start(this, date_column, var('incremental_lookback_days', 28))
        if is_incremental() else none) -}}
{%- endmacro %}
