{#
    First day an incremental run rebuilds: `days` before the newest `date_column` of the
    upstream `relation`. Counted from the data, not the clock, so a run reprocesses the
    same days whatever the day it runs on, and the delete and the insert agree.
#}
{% macro lookback_start(relation, date_column, days) -%}
    (select {{ dbt.dateadd('day', -(days | int), 'max(' ~ date_column ~ ')') }}
     from {{ relation }})
{%- endmacro %}
