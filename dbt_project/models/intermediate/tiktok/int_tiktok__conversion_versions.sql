{#-
    Every pulled version of TikTok's reported conversions, one row per ad x day x version,
    ranked first-to-last and last-to-first by pull (same ordering as the loader). Like
    int_tiktok__ad_performance_daily: purchases are complete payments and their value
    (BASIC report; Upgraded Smart+ ads from their report by ad_id_v2); a GMV Max campaign
    day is one row whose ad_id is the campaign id, with orders and gross revenue. TikTok
    reports one attribution setting per ad group, so attribution_window is `as_reported`.
-#}
{#- Each list of versions: its relation, ad id column, purchases, their value, is GMV Max. -#}
{%- set version_lists = [
    (ref('stg_tiktok__ad_report_daily_versions'), 'ad_id', 'purchases', 'purchase_value', false),
    (
        ref('stg_tiktok__smart_plus_ad_report_daily_versions'),
        'ad_id', 'purchases', 'purchase_value', false,
    ),
    (
        ref('stg_tiktok__gmv_max_report_daily_versions'),
        'campaign_id', 'orders', 'gross_revenue', true,
    ),
] %}

with

advertisers as (select * from {{ ref('stg_tiktok__advertisers') }}),

versions as (

    {%- for relation, ad_id, purchases, purchase_value, is_gmv_max in version_lists %}
    select
        advertiser_id,
        {{ ad_id }} as ad_id,
        {{ is_gmv_max }} as is_gmv_max_campaign,
        report_date,
        cast({{ purchases }} as {{ type_money() }}) as purchases,
        {{ purchase_value }} as purchase_value,
        pulled_at,
        sync_id
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

ranked as (

    select
        versions.advertiser_id as ad_account_id,
        versions.ad_id,
        advertisers.account_currency,
        cast('as_reported' as {{ dbt.type_string() }}) as attribution_window,
        versions.purchases,
        versions.purchase_value,
        versions.is_gmv_max_campaign,
        versions.report_date,
        versions.pulled_at,
        versions.sync_id,
        row_number() over (
            partition by
                versions.advertiser_id, versions.ad_id, versions.is_gmv_max_campaign,
                versions.report_date
            order by versions.pulled_at, versions.sync_id
        ) as pull_number,
        row_number() over (
            partition by
                versions.advertiser_id, versions.ad_id, versions.is_gmv_max_campaign,
                versions.report_date
            order by versions.pulled_at desc, versions.sync_id desc
        ) as reverse_pull_number
    from versions
    left join advertisers using (advertiser_id)

)

select * from ranked
