{#
    Integer arithmetic wide enough for money times rates (up to 38 digits), per engine.
#}

{# A type holding integers of up to 38 digits. #}
{% macro type_exact_integer() -%}
    {{ return(adapter.dispatch('type_exact_integer', 'socialmart')()) }}
{%- endmacro %}

{% macro default__type_exact_integer() -%}
    decimal(38, 0)
{%- endmacro %}

{% macro duckdb__type_exact_integer() -%}
    hugeint
{%- endmacro %}


{# Quotient of two non-negative exact integers, rounded down. #}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'socialmart')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_divide(numerator, denominator) -%}
    div({{ numerator }}, {{ denominator }})
{%- endmacro %}

{% macro duckdb__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}
