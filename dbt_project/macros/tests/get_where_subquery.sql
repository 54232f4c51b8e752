{#
    The relation a generic test reads (overrides dbt's macro of the same name): dbt's
    `where` config as usual, and, in an incremental build, only the days that build may
    have rewritten for models that declare `meta: {test_window_column: <date column>}`.

    The first such day is computed once per invocation, before any node runs
    (record_test_window, an on-run-start hook), into audit.dbt_test_window: each test then
    reads one small row instead of re-deriving the newest day of a view over years of
    history. Older rows were tested by the build that wrote them; every row is tested on a
    full refresh and while no full-project build has succeeded yet.
#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set window_column = test_window_column() -%}
    {%- set first_day = tests_first_day() if window_column else none -%}
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
    The day record_test_window stored for this invocation, or none (test every row). Only
    `build` and `test` run tests after the on-run-start hooks; `compile` and `docs
    generate` do not run the hooks, so they compile tests without a window. The table is
    queried, not looked up in dbt's relation cache, which predates the hook.
#}
{% macro tests_first_day() -%}
    {%- if flags.WHICH not in ('build', 'test') -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set window = api.Relation.create(
        database=target.database, schema='audit', identifier='dbt_test_window') -%}
    {%- do return(run_query('select first_day from ' ~ window).columns[0].values()[0]) -%}
{%- endmacro %}


{#
    on-run-start: store the first day this invocation may rewrite in any model with a
    test window, or null (test every row): `incremental_lookback_days` before the oldest
    of those models' newest days (read from the tables as the previous build left them;
    each incremental model counts its own window back from its own newest day, so none
    starts earlier), or earlier when a load since the last successful build covered older
    days (lookback_start_sql). Null on a full refresh and before a full-project build
    has succeeded.
#}
{% macro record_test_window() -%}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set window = api.Relation.create(
        database=target.database, schema='audit', identifier='dbt_test_window') -%}
    {%- set builds = adapter.get_relation(
        database=target.database, schema='audit', identifier='dbt_builds') -%}
    {%- set newest_days = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.config.materialized in ('table', 'incremental')
        and node.config.meta.get('test_window_column') -%}
        {%- set built = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if built is not none -%}
            {%- do newest_days.append('(select max(' ~ node.config.meta.test_window_column
                ~ ') from ' ~ built ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if flags.FULL_REFRESH or builds is none or not newest_days -%}
        {%- set first_day = 'null' -%}
    {%- else -%}
        {%- set first_day -%}
            case when exists (select 1 from {{ builds }} where succeeded and selector is null)
            then {{ lookback_start_sql(
                'least(' ~ newest_days | join(', ') ~ ')',
                var('incremental_lookback_days', 28)) }}
            end
        {%- endset -%}
    {%- endif -%}
    create table {{ window }} as select cast({{ first_day }} as date) as first_day
{%- endmacro %}
