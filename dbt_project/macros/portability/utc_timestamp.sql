{#
    An ISO 8601 timestamp with offset (Meta's `2026-05-04T00:00:00+0200`) or a timestamptz,
    as a timestamp without time zone in UTC: the same value and type on every engine.
#}
{% macro utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'socialmart')(expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(expression) -%}
    (cast({{ expression }} as timestamptz) at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__utc_timestamp(expression) -%}
    cast(timezone('UTC', cast({{ expression }} as timestamptz)) as timestamp)
{%- endmacro %}
