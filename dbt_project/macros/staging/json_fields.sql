{#
    Whether the JSON list under top-level `array_key` holds an object whose `field` equals
    `value` (e.g. a partnership creative's partners with identity_type BRAND); false when
    the list is missing. Portable: DuckDB JSON, PostgreSQL json/jsonb or text.
#}
{% macro json_list_has(json_column, array_key, field, value) -%}
    {{ return(adapter.dispatch('json_list_has', 'socialmart')(
        json_column, array_key, field, value)) }}
{%- endmacro %}

{% macro duckdb__json_list_has(json_column, array_key, field, value) -%}
    coalesce(list_contains(
        json_extract_string({{ json_column }}, '$.{{ array_key }}[*].{{ field }}'),
        '{{ value }}'
    ), false)
{%- endmacro %}

{% macro default__json_list_has(json_column, array_key, field, value) -%}
    coalesce(jsonb_path_exists(
        cast({{ json_column }} as jsonb),
        '$.{{ array_key }}[*] ? (@.{{ field }} == "{{ value }}")'
    ), false)
{%- endmacro %}
