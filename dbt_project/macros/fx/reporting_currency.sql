{#
    The reporting currency (var `reporting_currency`), checked to be an ISO 4217 code
    before it is written into SQL.
#}
{% macro reporting_currency() -%}
    {%- set code = var('reporting_currency') | string | trim | upper -%}
    {%- if not modules.re.match('^[A-Z]{3}$', code) -%}
        {{ exceptions.raise_compiler_error(
            'reporting_currency must be a 3-letter ISO 4217 code, got ' ~ code) }}
    {%- endif -%}
    {{ return(code) }}
{%- endmacro %}
