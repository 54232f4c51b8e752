{#
    Generic test: no two rows share the same values in `combination_of_columns`
    (the grain of a model). Fails with one row per duplicated combination.

    Stands for dbt_utils.unique_combination_of_columns, under its name and argument.
    Hand-written for the reason given in expression_is_true.sql (dbt packages come from
    dbt Hub or git, unreachable here; dbt_utils is not on PyPI; its code is not copied in);
    with a reachable package source the YAML calls dbt_utils' test and this file goes.
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
