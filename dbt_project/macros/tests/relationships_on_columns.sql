{#
    Generic test: every combination of `columns` (e.g. platform + ad_id) found in the
    model exists in `to` as the same combination of `to_columns` (default: the same
    names): the multi-column counterpart of dbt's relationships test, for keys that are
    only unique together. Rows with a null in any of the columns are skipped, as
    relationships does. Fails with each missing combination once.

    The project's own test, not a package stand-in: dbt's relationships and
    dbt_utils.relationships_where compare one column, and the cross-platform marts' keys
    are only unique with their platform.
#}
{% test relationships_on_columns(model, to, columns, to_columns=none) %}

{%- set parent_columns = to_columns or columns %}

with child_keys as (

    select distinct {{ columns | join(', ') }}
    from {{ model }}
    where {% for column in columns -%}
        {{ column }} is not null{% if not loop.last %} and {% endif %}
    {%- endfor %}

)

select * from child_keys
where not exists (
    select 1
    from {{ to }} as parent_keys
    where {% for column in columns -%}
        parent_keys.{{ parent_columns[loop.index0] }} = child_keys.{{ column }}
        {%- if not loop.last %} and {% endif %}
    {%- endfor %}
)

{% endtest %}
