{#
    CTEs ending in `setting_versions`: every stored version of an object's settings with
    the days it was in effect. `versions` are staging models of every stored version of
    versioned object lists (unioned when several; ids must not collide), each with
    `key_columns` (the account id first, then the object's id), the other `columns` to
    carry, pulled_at (timestamptz) and sync_id. `accounts` has that account id and its
    account_timezone: the days are account-local (UTC for an account without one).

    A version is loaded on the account-local day of its pull (loaded_date). Columns added:
    * valid_from_date: its loaded_date; null for a key's earliest version, which also
      stands for the days before the first observation (nothing older is known);
    * valid_to_date: the loaded_date of the key's next version (exclusive); null while it
      is the latest.
    A report day D therefore gets the newest version loaded on or before the end of D; a
    version superseded on its own load day is in effect on no day and is left out.
    Versions are ordered like the loader orders them (pulled_at, then sync_id).
#}
{% macro setting_versions(versions, accounts, key_columns, columns) %}
{%- set account_id = key_columns[0] -%}
{%- set keys = key_columns | join(', ') -%}
versions as (

    {%- for relation in versions %}
    select {{ (key_columns + columns) | join(', ') }}, pulled_at, sync_id
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

accounts as (

    select {{ account_id }}, account_timezone from {{ accounts }}

),

dated as (

    select
        versions.*,
        {{ local_date('versions.pulled_at', 'accounts.account_timezone') }} as loaded_date
    from versions
    left join accounts
        on accounts.{{ account_id }} = versions.{{ account_id }}

),

validity as (

    select
        {{ (key_columns + columns) | join(',\n        ') }},
        case
            when row_number() over (
                partition by {{ keys }} order by pulled_at, sync_id
            ) > 1 then loaded_date
        end as valid_from_date,
        lead(loaded_date) over (
            partition by {{ keys }} order by pulled_at, sync_id
        ) as valid_to_date
    from dated

),

setting_versions as (

    select * from validity
    where valid_from_date is null or valid_to_date is null or valid_to_date > valid_from_date

)
{%- endmacro %}

{#-
    True when `day` lies in a version's [valid_from_date, valid_to_date) (nulls: open ends,
    read as the first and last day a date can hold). Two plain comparisons, not `is null or`:
    in a left join's condition an OR keeps DuckDB from hashing on the other, equality,
    conditions, and it compared every row with every version instead (a nested-loop join:
    43 s of the placement mart's 17.5 M rows at `large`, 0.3 s as a hash join).
-#}
{% macro in_effect_on(day, versions) -%}
    coalesce({{ versions }}.valid_from_date, cast('0001-01-01' as date)) <= {{ day }}
    and {{ day }} < coalesce({{ versions }}.valid_to_date, cast('9999-12-31' as date))
{%- endmacro %}
