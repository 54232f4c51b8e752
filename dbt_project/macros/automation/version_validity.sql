{#
    The days a stored settings version is in effect, as two select-list columns over rows
    of one versioned raw table (tombstones left out) that carry `loaded_date`, the
    account-local day the version was loaded:
    * valid_from_date: its loaded_date; null for a key's earliest version, which also
      stands for the days before the first observation (nothing older is known);
    * valid_to_date: the loaded_date of the key's next version (exclusive); null while it
      is the latest.
    A report day D therefore gets the newest version loaded on or before the end of D.
    A version superseded on its own load day has valid_to_date = valid_from_date (no day):
    filter those out with `valid_from_date is null or valid_to_date is null or
    valid_to_date > valid_from_date`. Versions are ordered like the loader orders them.
#}
{% macro version_validity(key_columns) -%}
    {%- set keys = key_columns | join(', ') -%}
    case
        when row_number() over (
            partition by {{ keys }} order by _pulled_at, _sync_id
        ) > 1 then loaded_date
    end as valid_from_date,
    lead(loaded_date) over (
        partition by {{ keys }} order by _pulled_at, _sync_id
    ) as valid_to_date
{%- endmacro %}

{#- True when `day` lies in a version's [valid_from_date, valid_to_date) (nulls: open). -#}
{% macro in_effect_on(day, versions) -%}
    ({{ versions }}.valid_from_date is null or {{ versions }}.valid_from_date <= {{ day }})
    and ({{ versions }}.valid_to_date is null or {{ day }} < {{ versions }}.valid_to_date)
{%- endmacro %}
