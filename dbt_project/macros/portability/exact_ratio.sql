{#
    numerator / denominator as decimal(18, scale), exact on every engine and rounded half
    away from zero; null when the denominator is 0 or null (no division by zero, ever).

    Both operands may have at most two decimal places (money, counts, purchases): they are
    scaled to integers and divided with integer arithmetic, as in convert_amount, so no
    engine's floating point decides a rounding and DuckDB and PostgreSQL agree to the digit.
#}
{% macro exact_ratio(numerator, denominator, scale) -%}
    {%- set big = socialmart.type_exact_integer() -%}
    {%- set num = 'cast(abs(' ~ numerator ~ ') * 100 as ' ~ big ~ ')' -%}
    {%- set den = 'cast(abs(' ~ denominator ~ ') * 100 as ' ~ big ~ ')' -%}
    {%- set unit = '1' ~ ('0' * scale) -%}
    {%- set step = '0.' ~ ('0' * (scale - 1)) ~ '1' if scale > 0 else '1' -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast(
            (case when {{ numerator }} * {{ denominator }} < 0 then -1 else 1 end)
            * cast({{ socialmart.integer_divide(
                '2 * ' ~ num ~ ' * ' ~ unit ~ ' + ' ~ den,
                '2 * ' ~ den) }} as decimal(38, 0))
            * {{ step }}
            as decimal(18, {{ scale }})
        )
    end
{%- endmacro %}
