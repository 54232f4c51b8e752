{#
    The calendar day a timestamptz falls on in the IANA time zone `timezone` (an
    expression; a null zone counts as UTC): the same date on every engine.
#}
{% macro local_date(timestamp_tz, timezone) -%}
    {{ return(adapter.dispatch('local_date', 'socialmart')(timestamp_tz, timezone)) }}
{%- endmacro %}

{% macro default__local_date(timestamp_tz, timezone) -%}
    cast((cast({{ timestamp_tz }} as timestamptz) at time zone coalesce({{ timezone }}, 'UTC'))
        as date)
{%- endmacro %}

{% macro duckdb__local_date(timestamp_tz, timezone) -%}
    cast(timezone(coalesce({{ timezone }}, 'UTC'), cast({{ timestamp_tz }} as timestamptz))
        as date)
{%- endmacro %}
