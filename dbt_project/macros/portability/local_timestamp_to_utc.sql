{#
    A timestamp without time zone read as wall-clock time in the IANA zone
    `timezone_expression` (a column or a quoted literal), as a timestamp without time zone
    in UTC: the same value and type on every engine; null when the zone is null.
#}
{% macro local_timestamp_to_utc(expression, timezone_expression) -%}
    {{ return(adapter.dispatch('local_timestamp_to_utc', 'socialmart')(
        expression, timezone_expression)) }}
{%- endmacro %}

{% macro default__local_timestamp_to_utc(expression, timezone_expression) -%}
    ((cast({{ expression }} as timestamp) at time zone {{ timezone_expression }})
        at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__local_timestamp_to_utc(expression, timezone_expression) -%}
    cast(timezone('UTC', timezone(
        {{ timezone_expression }}, cast({{ expression }} as timestamp)
    )) as timestamp)
{%- endmacro %}
