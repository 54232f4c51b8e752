{#-
    Daily delivery and purchase results per ad and placement. One row per
    report_date x ad account x campaign x ad set x ad x publisher_platform x
    platform_position; column names and types are a contract with the dashboards.
    Money in the reporting currency follows the fx_conversion_rule doc: converted and
    rounded per row, never from summed amounts. Automation flags come from the ad set's
    and campaign's current settings (int_meta__adset_automation).
-#}
{%- set reporting_currency = socialmart.reporting_currency() -%}

with placement_insights as (

    select * from {{ ref('stg_meta__ad_insights_placement') }}

),

adset_automation as (

    select
        adset_id as automation_adset_id,
        is_advantage_plus_campaign,
        placement_mode,
        threads_inclusion
    from {{ ref('int_meta__adset_automation') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_daily') }}
    where to_currency = '{{ reporting_currency }}'

),

final as (

    select
        report_date,
        ad_account_id,
        account_currency,
        campaign_id,
        campaign_name,
        adset_id,
        adset_name,
        ad_id,
        ad_name,
        publisher_platform,
        platform_position,
        spend,
        impressions,
        clicks,
        purchases,
        purchase_value,
        {%- for window in meta_attribution_windows() %}
        purchases_{{ window }},
        purchase_value_{{ window }},
        {%- endfor %}
        cast('{{ reporting_currency }}' as {{ dbt.type_string() }}) as reporting_currency,
        {{ convert_amount('spend', 'fx_rates.from_per_eur', 'fx_rates.to_per_eur') }}
            as spend_reporting,
        {{ convert_amount('purchase_value', 'fx_rates.from_per_eur', 'fx_rates.to_per_eur') }}
            as purchase_value_reporting,
        is_advantage_plus_campaign,
        placement_mode,
        threads_inclusion
    from placement_insights
    left join fx_rates
        on fx_rates.rate_date = placement_insights.report_date
        and fx_rates.from_currency = placement_insights.account_currency
    left join adset_automation
        on adset_automation.automation_adset_id = placement_insights.adset_id

)

select * from final
