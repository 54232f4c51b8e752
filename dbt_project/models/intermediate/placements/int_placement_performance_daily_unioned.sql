{#-
    Every platform's rows of the placement-performance shape in one relation, unioned by
    column name (the contract of int_<platform>__placement_performance_daily, documented in
    _placements__models.yml); types are cast here once so both platforms agree.
-#}
{%- set platform_models = [
    'int_meta__placement_performance_daily',
    'int_tiktok__placement_performance_daily',
] -%}
{%- set string = dbt.type_string() -%}
{%- set bigint = dbt.type_bigint() -%}
{%- set columns = [
    ('platform', string), ('report_date', 'date'), ('ad_account_id', string),
    ('account_currency', string), ('campaign_id', string), ('campaign_name', string),
    ('adset_id', string), ('adset_name', string), ('ad_id', string), ('ad_name', string),
    ('publisher_platform', string), ('platform_position', string),
    ('spend', 'decimal(18, 2)'), ('impressions', bigint), ('clicks', bigint),
    ('purchases', 'decimal(18, 2)'), ('purchase_value', 'decimal(18, 2)'),
] -%}
{%- for window in meta_attribution_windows() -%}
    {%- do columns.extend([
        ('purchases_' ~ window, 'decimal(18, 2)'),
        ('purchase_value_' ~ window, 'decimal(18, 2)'),
    ]) -%}
{%- endfor -%}
{%- do columns.extend([
    ('is_advantage_plus_campaign', dbt.type_boolean()),
    ('placement_mode', string),
    ('threads_inclusion', string),
]) -%}

with unioned as (

    {% for model in platform_models -%}
    select
        {%- for name, data_type in columns %}
        cast({{ name }} as {{ data_type }}) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref(model) }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

select * from unioned
