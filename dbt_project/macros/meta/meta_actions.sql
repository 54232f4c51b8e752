{#
    Helpers for Meta's `actions` / `action_values` lists:
    [{"action_type": "omni_purchase", "value": "3", "7d_click": "2", ...}, ...].
    Zero-valued types are omitted by the API, so a missing type or window means 0.
#}

{#
    Attribution windows the warehouse models, one column pair each (`1d_ev`: engaged view,
    engage-through since Meta's click-through change; appended last so that older columns
    keep their places).
#}
{% macro meta_attribution_windows() -%}
    {{ return(['1d_click', '7d_click', '28d_click', '1d_view', '1d_ev']) }}
{%- endmacro %}


{#
    The windows the connector requests (var `meta_attribution_windows`, from the setting
    META_ATTRIBUTION_WINDOWS; comma-separated). Without the var: every modelled window.
#}
{% macro meta_requested_windows() -%}
    {%- set configured = var('meta_attribution_windows', none) -%}
    {%- if configured is none -%}
        {{ return(socialmart.meta_attribution_windows()) }}
    {%- endif -%}
    {%- if configured is string -%}
        {%- set configured = configured.split(',') -%}
    {%- endif -%}
    {{ return(configured | map('trim') | list) }}
{%- endmacro %}


{#
    A window's amount of an element found by meta_find_action, or null when the window is
    not requested: a window Meta was not asked for is unknown, not 0.
#}
{% macro meta_window_amount(action, window) -%}
    {%- if window in socialmart.meta_requested_windows() -%}
        {{ socialmart.meta_action_amount(action, window) }}
    {%- else -%}
        cast(null as {{ socialmart.type_money() }})
    {%- endif -%}
{%- endmacro %}


{# The list element whose action_type equals `action_type`, or null. #}
{% macro meta_find_action(json_column, action_type) -%}
    {{ return(adapter.dispatch('meta_find_action', 'socialmart')(json_column, action_type)) }}
{%- endmacro %}

{% macro duckdb__meta_find_action(json_column, action_type) -%}
    {%- set fields = ['value'] + socialmart.meta_attribution_windows() -%}
    {%- set struct_type -%}
        [{"action_type": "VARCHAR"
        {%- for field in fields -%}, "{{ field }}": "VARCHAR"{%- endfor -%}
        }]
    {%- endset -%}
    list_filter(
        from_json({{ json_column }}, '{{ struct_type }}'),
        lambda action: action.action_type = '{{ action_type | replace("'", "''") }}'
    )[1]
{%- endmacro %}

{% macro postgres__meta_find_action(json_column, action_type) -%}
    (
        select action
        from jsonb_array_elements(cast({{ json_column }} as jsonb)) as action
        where action ->> 'action_type' = '{{ action_type | replace("'", "''") }}'
        limit 1
    )
{%- endmacro %}

{% macro default__meta_find_action(json_column, action_type) -%}
    {{ exceptions.raise_compiler_error(
        'meta_find_action has no implementation for adapter ' ~ target.type) }}
{%- endmacro %}


{# One numeric field (`value` or a window) of an element found by meta_find_action. #}
{% macro meta_action_amount(action, field) -%}
    {{ return(adapter.dispatch('meta_action_amount', 'socialmart')(action, field)) }}
{%- endmacro %}

{% macro duckdb__meta_action_amount(action, field) -%}
    coalesce(cast({{ action }}."{{ field }}" as {{ socialmart.type_money() }}), 0)
{%- endmacro %}

{% macro postgres__meta_action_amount(action, field) -%}
    coalesce(cast({{ action }} ->> '{{ field }}' as {{ socialmart.type_money() }}), 0)
{%- endmacro %}

{% macro default__meta_action_amount(action, field) -%}
    {{ exceptions.raise_compiler_error(
        'meta_action_amount has no implementation for adapter ' ~ target.type) }}
{%- endmacro %}
