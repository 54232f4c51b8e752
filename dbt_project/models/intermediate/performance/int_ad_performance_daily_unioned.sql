{#-
    Every platform's rows of the ad-performance shape in one relation (the contract of
    int_<platform>__ad_performance_daily); the union is by column name, so a platform
    model's column order cannot shift values into the wrong column. The platform models
    name the ad set / ad group adgroup_*; the marts name it adset_* (one name per concept).
-#}
{%- set platform_models = [
    'int_meta__ad_performance_daily',
    'int_tiktok__ad_performance_daily',
] -%}
{%- set columns = [
    'platform', 'ad_account_id', 'account_currency', 'account_timezone', 'campaign_id',
    'campaign_name', 'adgroup_id as adset_id', 'adgroup_name as adset_name', 'ad_id',
    'ad_name', 'report_date',
    'spend', 'impressions', 'clicks', 'conversions', 'purchases', 'purchase_value',
] -%}
{%- for window in meta_attribution_windows() -%}
    {%- do columns.extend(['purchases_' ~ window, 'purchase_value_' ~ window]) -%}
{%- endfor -%}
{%- do columns.append('is_clickless') -%}

with unioned as (

    {% for model in platform_models -%}
    select
        {{ columns | join(',\n        ') }}
    from {{ ref(model) }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

select * from unioned
