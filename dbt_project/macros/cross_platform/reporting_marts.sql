{#
    What every reporting fact shares: the incremental lookback window and the conversion of
    its amounts into the reporting currency (fx_conversion_rule: per row, through EUR).
#}

{#-
    The filter of an incremental fact's import CTE: on an incremental run only the days from
    lookback_start on (the days delete_lookback_window deleted first); nothing otherwise.
-#}
{% macro in_lookback_window(date_column='report_date') -%}
    {%- set first_day = lookback_first_day(date_column) -%}
    {%- if first_day is not none -%}
        where {{ date_column }} >= {{ first_day }}
    {%- endif -%}
{%- endmacro %}

{#- Import CTE body: the day's rates from every currency into the reporting currency. -#}
{% macro reporting_fx_rates() -%}
    select * from {{ ref('int_fx_rates_daily') }}
    where to_currency = '{{ reporting_currency() }}'
{%- endmacro %}

{#-
    The reporting_currency column and `<amount>_reporting` for each of `amounts` (columns
    of `relation`), converted with the rates of the CTE `fx_rates` joined to the row.
-#}
{% macro reporting_amounts(amounts, relation) -%}
    cast('{{ reporting_currency() }}' as {{ dbt.type_string() }}) as reporting_currency,
    {%- for amount in amounts %}
    {{ convert_amount(relation ~ '.' ~ amount, 'fx_rates.from_per_eur', 'fx_rates.to_per_eur') }}
        as {{ amount }}_reporting{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    The configuration of a model incremental by day (the reporting facts; the staging of
    Meta insights and TikTok Shop orders): delete+insert of the lookback window
    (delete_lookback_window deletes the days from lookback_start on by `date_column`,
    in_lookback_window or lookback_first_day rebuilds them), refusing a changed column set
    (on_schema_change fail: rebuild with --full-refresh).
-#}
{% macro lookback_incremental_config(
    unique_key=none, incremental_strategy='delete+insert', date_column='report_date'
) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy=incremental_strategy,
        unique_key=unique_key,
        on_schema_change='fail',
        pre_hook=["{{ delete_lookback_window('%s') }}" | format(date_column)],
    ) }}
{%- endmacro %}
