{#-
    PostgreSQL: an incremental run's temp relation is created without the model's contract, so
    string expressions come out `text` and divisions unconstrained `numeric`, while the contract
    created the table as the YAML declares (`varchar` = character varying, `decimal(p, s)` =
    numeric(p, s)). The insert casts to the table's declared types, as the contract's first build
    does, so these two are no schema change; every other difference still fails the build
    (on_schema_change='fail'). dbt dispatches this check in namespace `dbt`, root project first.
-#}
{% macro postgres__diff_column_data_types(source_columns, target_columns) %}
    {%- set changes = [] -%}
    {%- for change in default__diff_column_data_types(source_columns, target_columns) -%}
        {%- set declared = (
            target_columns | selectattr("name", "equalto", change.column_name) | first
        ).expanded_data_type -%}
        {%- set cast_on_insert = (
            change.new_type == 'text' and declared in ('character varying', 'text')
        ) or (change.new_type == 'numeric' and declared.startswith('numeric')) -%}
        {%- if not cast_on_insert -%}
            {%- do changes.append(change) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(changes) }}
{%- endmacro %}
