{#
    Every ad's placement rows add up to its ad-level row, to the cent: spend, impressions
    and clicks per platform x ad account x ad x day; a row on one side only counts as zero
    on the other. GMV Max campaign days (clickless) report no placements. A platform
    without any ad-level row is not compared: a source whose ad report never loaded is the
    gate's freshness and day-coverage finding. Both sides meet in one grouping rather than
    a full join (PostgreSQL refuses a full join on null-safe keys), so keys compare
    null-safe: a null key is not_null's finding, not a missing row. In an incremental build
    only the days the build may have rewritten are read (its test window, as for the
    generic tests).
#}
{%- set first_day = tests_first_day() if execute else none %}

with sides as (

    select
        platform,
        ad_account_id,
        ad_id,
        report_date,
        spend as placement_spend,
        cast(null as {{ type_money() }}) as ad_spend,
        impressions as placement_impressions,
        cast(null as bigint) as ad_impressions,
        clicks as placement_clicks,
        cast(null as bigint) as ad_clicks
    from {{ ref('fct_placement_performance_daily') }}

    union all

    select
        platform,
        ad_account_id,
        ad_id,
        report_date,
        cast(null as {{ type_money() }}) as placement_spend,
        spend as ad_spend,
        cast(null as bigint) as placement_impressions,
        impressions as ad_impressions,
        cast(null as bigint) as placement_clicks,
        clicks as ad_clicks
    from {{ ref('fct_ad_performance_daily') }}
    where not is_clickless

),

compared as (

    select
        platform,
        ad_account_id,
        ad_id,
        report_date,
        sum(placement_spend) as placement_spend,
        sum(ad_spend) as ad_spend,
        sum(placement_impressions) as placement_impressions,
        sum(ad_impressions) as ad_impressions,
        sum(placement_clicks) as placement_clicks,
        sum(ad_clicks) as ad_clicks
    from sides
    group by platform, ad_account_id, ad_id, report_date

),

ad_platforms as (

    select distinct platform
    from {{ ref('fct_ad_performance_daily') }}
    where not is_clickless

)

select * from compared
where
    platform in (select ad_platforms.platform from ad_platforms)
    and (
        coalesce(placement_spend, 0) <> coalesce(ad_spend, 0)
        or coalesce(placement_impressions, 0) <> coalesce(ad_impressions, 0)
        or coalesce(placement_clicks, 0) <> coalesce(ad_clicks, 0)
    )
{%- if first_day is not none %}
    and report_date >= cast('{{ first_day }}' as date)
{%- endif %}
