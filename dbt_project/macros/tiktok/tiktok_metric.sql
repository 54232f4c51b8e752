{#
    A metric the TikTok Business API sends as a string: "-" (no value) and blanks become
    null, the rest is cast to `data_type`.
#}
{% macro tiktok_metric(column, data_type) -%}
    cast(nullif(nullif(trim({{ column }}), '-'), '') as {{ data_type }})
{%- endmacro %}
