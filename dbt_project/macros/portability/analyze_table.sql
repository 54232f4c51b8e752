{#-
    A post-hook: refresh the planner's statistics of the table a model just wrote. PostgreSQL
    plans the next model (and the gate's checks) from them, and autovacuum analyses a new
    table only later: without statistics a table looks empty and the planner picks nested
    loops that re-run a view per row. DuckDB keeps its statistics as it writes: nothing to do.
-#}
{% macro analyze_table() -%}
    {{ return(adapter.dispatch('analyze_table', 'socialmart')()) }}
{%- endmacro %}

{% macro default__analyze_table() -%}
{%- endmacro %}

{% macro postgres__analyze_table() -%}
    {%- if model.config.materialized in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
