{#
    Generic test: every group of `group_by` columns (the whole model when empty) holds
    amounts in one currency only, so summing its money columns never mixes currencies.
    Fails with one row per group that has more than one value in `currency_column`
    (nulls count as a value: an amount of unknown currency cannot be added either).

    The project's own test, not a package stand-in: dbt_utils has no test of it.
#}
{% test single_currency_per_group(model, currency_column, group_by=[]) %}

{%- set group_csv = group_by | join(', ') %}

with currencies_per_group as (

    select
        {% if group_by %}{{ group_csv }},{% endif %}
        count(distinct coalesce({{ currency_column }}, '(null)')) as currency_count
    from {{ model }}
    {% if group_by %}group by {{ group_csv }}{% endif %}

)

select * from currencies_per_group
where currency_count > 1

{% endtest %}
