{#
    The staging body of a Meta object list (ad accounts, campaigns, ad sets, ads,
    creatives): the latest live version per account and object id, deleted objects
    included (is_removed_from_source). Columns: the object's `id` as `id_column` and the
    account as ad_account_id (just the account for the ad accounts list), then
    `id_columns`, `string_columns`, `numeric_columns` and `boolean_columns` (select
    expressions), is_removed_from_source, the ISO timestamps of `timestamp_columns` (raw
    column: warehouse name) in UTC and the pull time in UTC.
#}
{% macro meta_entity_staging(
    relation, id_column, id_columns=[], string_columns=[], numeric_columns=[],
    boolean_columns=[], timestamp_columns={}
) %}
{%- set object_ids = ['account_id as ad_account_id'] if id_column == 'ad_account_id'
    else ['id as ' ~ id_column, 'account_id as ad_account_id'] -%}
{%- set timestamps = [] -%}
{%- for raw_column, name in timestamp_columns.items() -%}
    {%- do timestamps.append(utc_timestamp(raw_column) ~ ' as ' ~ name) -%}
{%- endfor -%}
{% call latest_live_staging(relation, ['account_id', 'id']) -%}
        ---------- ids
        {{ (object_ids + id_columns) | join(',\n        ') }},
        {%- if string_columns %}
        ---------- strings
        {{ string_columns | join(',\n        ') }},
        {%- endif %}
        {%- if numeric_columns %}
        ---------- numerics
        {{ numeric_columns | join(',\n        ') }},
        {%- endif %}
        ---------- booleans
        {{ (boolean_columns + ['is_removed_from_source']) | join(',\n        ') }},
        ---------- timestamps
        {{ (timestamps + [utc_timestamp('_pulled_at') ~ ' as pulled_at']) | join(',\n        ') }}
{%- endcall %}
{% endmacro %}


{#- Daily and lifetime budgets, sent in the currency's minor units (cents). -#}
{% macro meta_budget_columns() -%}
    {{ return([
        'cast(daily_budget as ' ~ dbt.type_bigint() ~ ') as daily_budget_minor_units',
        'cast(lifetime_budget as ' ~ dbt.type_bigint() ~ ') as lifetime_budget_minor_units',
    ]) }}
{%- endmacro %}
