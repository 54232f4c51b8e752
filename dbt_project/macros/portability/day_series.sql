{#
    Set-returning select-list expression: one row per calendar day from `start_date` to
    `end_date` (inclusive), as timestamps; cast to date where used.
#}
{% macro day_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_series', 'socialmart')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__day_series(start_date, end_date) -%}
    generate_series(
        cast({{ start_date }} as timestamp),
        cast({{ end_date }} as timestamp),
        interval '1 day'
    )
{%- endmacro %}

{% macro duckdb__day_series(start_date, end_date) -%}
    unnest(generate_series(
        cast({{ start_date }} as timestamp),
        cast({{ end_date }} as timestamp),
        interval '1 day'
    ))
{%- endmacro %}
