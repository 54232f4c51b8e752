{#
    Every ad's placement rows add up to its ad-level row, to the cent: spend, impressions
    and clicks per platform x ad account x ad x day; a row on one side only counts as zero
    on the other. GMV Max campaign days (clickless) report no placements. A platform
    without any ad-level row is not compared: a source whose ad report never loaded is the
    gate's freshness and day-coverage finding. Keys compare null-safe: a null key is
    not_null's finding, not a missing row. In an incremental build only the days the
    build may have rewritten are read (its test window, as for the generic tests).
#}
{%- set first_day = tests_first_day() if execute else none %}

with placement_totals as (

    select
        platform,
        ad_account_id,
        ad_id,
        report_date,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref('fct_placement_performance_daily') }}
    group by platform, ad_account_id, ad_id, report_date

),

ad_totals as (

    select
        platform,
        ad_account_id,
        ad_id,
        report_date,
        spend,
        impressions,
        clicks
    from {{ ref('fct_ad_performance_daily') }}
    where not is_clickless

),

compared as (

    select
        coalesce(placement_totals.platform, ad_totals.platform) as platform,
        coalesce(placement_totals.ad_account_id, ad_totals.ad_account_id)
            as ad_account_id,
        coalesce(placement_totals.ad_id, ad_totals.ad_id) as ad_id,
        coalesce(placement_totals.report_date, ad_totals.report_date) as report_date,
        placement_totals.spend as placement_spend,
        ad_totals.spend as ad_spend,
        placement_totals.impressions as placement_impressions,
        ad_totals.impressions as ad_impressions,
        placement_totals.clicks as placement_clicks,
        ad_totals.clicks as ad_clicks
    from placement_totals
    full outer join ad_totals
        on ad_totals.platform is not distinct from placement_totals.platform
        and ad_totals.ad_account_id is not distinct from placement_totals.ad_account_id
        and ad_totals.ad_id is not distinct from placement_totals.ad_id
        and ad_totals.report_date is not distinct from placement_totals.report_date

)

select * from compared
where
    platform in (select ad_totals.platform from ad_totals)
    and (
        coalesce(placement_spend, 0) <> coalesce(ad_spend, 0)
        or coalesce(placement_impressions, 0) <> coalesce(ad_impressions, 0)
        or coalesce(placement_clicks, 0) <> coalesce(ad_clicks, 0)
    )
{%- if first_day is not none %}
    and report_date >= cast('{{ first_day }}' as date)
{%- endif %}
