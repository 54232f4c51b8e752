{#
    The relation a generic test reads (overrides dbt's macro of the same name): dbt's
    `where` config as usual, and, in an incremental build, only the days that build may
    have rewritten for models that declare `meta: {test_window_column: <date column>}`.

    A daily build rewrites the days from lookback_start on (the incremental lookback, or
    further back when a load since the last successful build covered older days); older
    rows were tested by the build that wrote them. Testing only the rewritten days keeps a
    daily build's tests as cheap as its models instead of re-reading years of history.
    Every row is tested on a full refresh and when no full-project build has succeeded yet.
#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set window_column = test_window_column() -%}
    {%- set first_day = rewritten_from(relation, window_column) if window_column else none -%}
    {%- if first_day is not none -%}
        {%- do conditions.append(window_column ~ " >= cast('" ~ first_day ~ "' as date)") -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where '
            ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{# The tested model's `meta.test_window_column`, or none (also while parsing). #}
{% macro test_window_column() -%}
    {%- if not execute or model.attached_node is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) -%}
    {%- if tested is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- do return(tested.config.meta.get('test_window_column')) -%}
{%- endmacro %}


{#
    First day of `relation` this build may have rewritten (lookback_start), or none when
    every row must be tested: a full refresh, no full-project build has succeeded yet, or
    no build log (a warehouse the pipeline did not create). One query per test.
#}
{% macro rewritten_from(relation, date_column) -%}
    {%- set builds = adapter.get_relation(
        database=target.database, schema='audit', identifier='dbt_builds') -%}
    {%- if flags.FULL_REFRESH or builds is none or load_relation(relation) is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set days = var('incremental_lookback_days', 28) -%}
    {%- set first_day -%}
        select case
            when exists (select 1 from {{ builds }} where succeeded and selector is null)
            then cast({{ lookback_start_sql(relation, date_column, days) }} as date)
        end
    {%- endset -%}
    {%- do return(run_query(first_day).columns[0].values()[0]) -%}
{%- endmacro %}
