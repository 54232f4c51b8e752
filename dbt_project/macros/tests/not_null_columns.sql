{#
    Generic test: none of `columns` holds a null. One query reads the model once for all
    the columns, where a `not_null` test per column would read it once per column (and
    compute a view as many times): issue 19 measured the per-column tests at most of a
    daily build's test time. Fails with one row per column that holds nulls: the column's
    name and how many of the tested rows are null in it.

    The row filter comes from dbt's `where` config and the test window
    (get_where_subquery), as for any generic test.
#}
{% test not_null_columns(model, columns) %}

with null_counts as materialized (

    select
    {%- for column in columns %}
        count(*) - count({{ column }}) as null_rows_{{ loop.index }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from {{ model }}

)

{% for column in columns -%}
select
    '{{ column }}' as column_name,
    null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{% if not loop.last %}
union all
{% endif %}
{%- endfor %}

{% endtest %}
