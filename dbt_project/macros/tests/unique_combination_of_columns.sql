{#
    Generic test: no two rows share the same values in `combination_of_columns`
    (the grain of a model). Fails with one row per duplicated combination.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{%- set columns_csv = combination_of_columns | join(', ') %}

with grouped as (

    select
        {{ columns_csv }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns_csv }}

)

select * from grouped
where row_count > 1

{% endtest %}
