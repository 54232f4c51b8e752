{#
    `amount` (decimal, two places) converted with two per-EUR rates (decimal, six places):
    amount * to_per_eur / from_per_eur, rounded once to cents, half away from zero.

    Exact on every engine: cents and micro-rates are scaled to integers and the rounded
    quotient is an integer division, (2*|a|*t + f) div (2*f), so no engine's decimal
    division (DuckDB: floating point) ever touches the money. Null if any input is null.
#}
{% macro convert_amount(amount, from_per_eur, to_per_eur) -%}
    {%- set cents = 'cast(abs(' ~ amount ~ ') * 100 as ' ~ socialmart.type_exact_integer() ~ ')' -%}
    {%- set to_micro = 'cast(' ~ to_per_eur ~ ' * 1000000 as ' ~ socialmart.type_exact_integer() ~ ')' -%}
    {%- set from_micro = 'cast(' ~ from_per_eur ~ ' * 1000000 as ' ~ socialmart.type_exact_integer() ~ ')' -%}
    cast(
        (case when {{ amount }} < 0 then -1 else 1 end)
        * cast({{ socialmart.integer_divide(
            '2 * ' ~ cents ~ ' * ' ~ to_micro ~ ' + ' ~ from_micro,
            '2 * ' ~ from_micro) }} as decimal(38, 0))
        * 0.01
        as {{ socialmart.type_money() }}
    )
{%- endmacro %}
