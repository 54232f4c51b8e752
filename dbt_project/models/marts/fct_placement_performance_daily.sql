{#-
    Daily delivery and purchase results per ad and placement. One row per
    report_date x ad account x campaign x ad set x ad x publisher_platform x
    platform_position; column names and types are a contract with the dashboards.
-#}

with placement_insights as (

    select * from {{ ref('stg_meta__ad_insights_placement') }}

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
        purchase_value_{{ window }}{{ ',' if not loop.last }}
        {%- endfor %}
    from placement_insights

)

select * from final
