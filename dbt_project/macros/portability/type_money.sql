{#
    The one money type of the project: amounts in an account, reporting or order currency,
    exact to the cent on every engine (spend, revenue, GMV, purchase values).
#}

{% macro type_money() -%}
    decimal(18, 2)
{%- endmacro %}
