{#
    The cross-platform union: one `select` per platform over one declared column list
    (`columns`: (name, type) pairs, the type a key of column_types; see
    cross_platform_columns.sql), every column cast once to its declared type, so no
    platform's types or column order can leak into the union.

    `platforms`: one field mapping per platform, a dict with
      * platform: the value of the `platform` column (when the list declares one);
      * relation: the relation or CTE the platform's rows come from;
      * fields (optional): column -> SQL expression where the platform names or derives a
        column differently; none where the platform has no such column (null);
      * default (optional): the SQL expression of every column `fields` does not name
        (say '0' for measures the part does not have); without it such a column is read
        under its own name;
      * where (optional): the condition the part's rows meet.
    A part of a union that is no platform (an activity of its own) leaves out `platform`.
#}
{% macro union_platforms(columns, platforms) -%}
    {%- set types = column_types() -%}
    {%- for platform in platforms %}
    select
        {%- for name, data_type in columns %}
        {%- if name == 'platform' %}
        {%- set expression = "'" ~ platform.platform ~ "'" %}
        {%- else %}
        {%- set expression = platform.get('fields', {}).get(name, platform.get('default', name)) %}
        {%- endif %}
        cast({{ 'null' if expression is none else expression }} as {{ types[data_type] }})
            as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ platform.relation }}
    {%- if platform.get('where') %}
    where {{ platform.where }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
