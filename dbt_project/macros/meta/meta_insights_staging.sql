{#-
    The staging of a Meta insights report: the latest non-deleted raw version per ad, day
    and breakdown values, cast, with the configured purchase action type's counts and values
    (default attribution and each window). The base report and the placement report differ
    only in their breakdown columns, so both models call this one body. With `first_day`,
    only report days from then on (an incremental run's window): a key's versions all share
    its report day, so the latest version of every key in the window is still exact.
-#}
{% macro meta_insights_staging(source_relation, breakdown_columns=[], first_day=none) %}
{%- set purchase_type = var('meta_purchase_action_type', 'omni_purchase') -%}

with source as (

    select * from {{ source_relation }}
    {% if first_day is not none -%}
    where date_start >= {{ first_day }}
    {%- endif %}

),

versions_ranked as (

    select
        *,
        row_number() over (
            partition by
                {{ (['account_id', 'ad_id', 'date_start'] + breakdown_columns) | join(', ') }}
            order by _pulled_at desc, _sync_id desc
        ) as version_rank
    from source

),

latest_live as (

    select
        *,
        {{ meta_find_action('actions', purchase_type) }} as purchase_action,
        {{ meta_find_action('action_values', purchase_type) }} as purchase_value_action
    from versions_ranked
    where version_rank = 1 and not _is_deleted

),

renamed as (

    select
        ---------- ids
        account_id as ad_account_id,
        campaign_id,
        adset_id,
        ad_id,
        ---------- strings
        account_currency,
        campaign_name,
        adset_name,
        ad_name,
        {%- for column in breakdown_columns %}
        {{ column }},
        {%- endfor %}
        ---------- numerics
        cast(spend as decimal(18, 2)) as spend,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        {{ meta_action_amount('purchase_action', 'value') }} as purchases,
        {{ meta_action_amount('purchase_value_action', 'value') }} as purchase_value,
        {%- for window in meta_attribution_windows() %}
        {{ meta_action_amount('purchase_action', window) }}
            as purchases_{{ window }},
        {{ meta_action_amount('purchase_value_action', window) }}
            as purchase_value_{{ window }},
        {%- endfor %}
        ---------- dates
        date_start as report_date,
        ---------- load metadata
        _sync_id as sync_id,
        _pulled_at as pulled_at
    from latest_live

)

select * from renamed
{% endmacro %}
