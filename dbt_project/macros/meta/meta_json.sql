{#
    Reading Meta's JSON objects (campaign advantage_state_info, ad set targeting, ad
    creative, creative specs) the same way on every engine.
#}

{# Top-level `key` of a JSON object as text, null when absent. #}
{% macro json_text(json_column, key) -%}
    {{ return(adapter.dispatch('json_text', 'socialmart')(json_column, key)) }}
{%- endmacro %}

{% macro default__json_text(json_column, key) -%}
    (cast({{ json_column }} as jsonb) ->> '{{ key }}')
{%- endmacro %}

{% macro duckdb__json_text(json_column, key) -%}
    json_extract_string({{ json_column }}, '$.{{ key }}')
{%- endmacro %}


{# True when the JSON object has top-level `key` (false for a null object). #}
{% macro json_has_key(json_column, key) -%}
    {{ return(adapter.dispatch('json_has_key', 'socialmart')(json_column, key)) }}
{%- endmacro %}

{% macro default__json_has_key(json_column, key) -%}
    coalesce(jsonb_exists(cast({{ json_column }} as jsonb), '{{ key }}'), false)
{%- endmacro %}

{% macro duckdb__json_has_key(json_column, key) -%}
    coalesce(json_exists({{ json_column }}, '$.{{ key }}'), false)
{%- endmacro %}


{# True when the JSON array at top-level `key` holds the string `value`. #}
{% macro json_array_has(json_column, key, value) -%}
    {{ return(adapter.dispatch('json_array_has', 'socialmart')(json_column, key, value)) }}
{%- endmacro %}

{% macro default__json_array_has(json_column, key, value) -%}
    coalesce(jsonb_exists(cast({{ json_column }} as jsonb) -> '{{ key }}', '{{ value }}'), false)
{%- endmacro %}

{% macro duckdb__json_array_has(json_column, key, value) -%}
    coalesce(
        list_contains(json_extract_string({{ json_column }}, '$.{{ key }}[*]'), '{{ value }}'),
        false
    )
{%- endmacro %}
