{#
    First day an incremental run rebuilds: `days` before the newest `date_column` of the
    upstream `relation`, or earlier when a load landed since the last successful build
    (raw._loads after the newest succeeded row of audit.dbt_builds) covered older days: a
    backfill then reaches the mart without a full refresh. Counted from the data and the
    load log, not the clock, so the pre-hook's delete and the insert agree. Without the
    load log or the build log (a warehouse the pipeline did not create) the lookback alone.
#}
{% macro lookback_start(relation, date_column, days) -%}
    {%- set newest_minus_lookback -%}
        (select {{ dbt.dateadd('day', -(days | int), 'max(' ~ date_column ~ ')') }}
         from {{ relation }})
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
         where loaded_at > (select max(started_at) from {{ builds }} where succeeded))
    {%- endif -%}
{%- endmacro %}
